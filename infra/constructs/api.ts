import { CfnOutput, RemovalPolicy, Validations } from "aws-cdk-lib";
import {
  AccessLogFormat,
  EndpointType,
  LambdaRestApi,
  LogGroupLogDestination,
  MethodLoggingLevel,
} from "aws-cdk-lib/aws-apigateway";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import type { Config } from "../../functions/contracts/config/schema.js";

export interface ApiProps {
  readonly config: Config;
  /** The API Lambda; it routes every path itself (functions/api/handler.ts). */
  readonly handler: IFunction;
  /** @default "api" */
  readonly stageName?: string;
}

/** API Gateway REST (v1) with Lambda proxy integration: gunicorn's place in the old stack. */
export class Api extends Construct {
  public readonly restApi: LambdaRestApi;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { config } = props;
    // Access and execution logs need API Gateway's account-wide CloudWatch role, which the emulators do not model.
    const logged = config.stage === "prod";
    const accessLogs = logged
      ? new LogGroup(this, "AccessLogs", { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.RETAIN })
      : undefined;
    this.restApi = new LambdaRestApi(this, "RestApi", {
      restApiName: `${config.app}-${config.stage}`,
      handler: props.handler,
      proxy: true,
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: logged,
      deployOptions: {
        stageName: props.stageName ?? "api",
        throttlingRateLimit: config.api.throttleRateLimit,
        throttlingBurstLimit: config.api.throttleBurstLimit,
        loggingLevel: logged ? MethodLoggingLevel.ERROR : MethodLoggingLevel.OFF,
        accessLogDestination: accessLogs ? new LogGroupLogDestination(accessLogs) : undefined,
        accessLogFormat: accessLogs ? AccessLogFormat.jsonWithStandardFields() : undefined,
      },
    });
    Validations.of(this.restApi).acknowledge(
      {
        id: "AwsSolutions-APIG2",
        reason:
          "Every request is validated by zod in the API Lambda (functions/core/http/route.ts), which answers 400 listing each problem.",
      },
      {
        id: "AwsSolutions-APIG4",
        reason:
          "Authorization is a JWT check inside the Lambda (functions/core/auth), the same code for Cognito, any JWKS and the local stage; /health is public on purpose.",
      },
      {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
        reason: "AWS's own policy for API Gateway's account-level logging role; it grants nothing beyond writing logs.",
      },
      {
        id: "AwsSolutions-APIG3",
        reason:
          "Stage throttling (config api.throttle*) bounds abuse; a WAF web ACL is a per-organisation cost and rule decision to attach when needed.",
      },
      {
        id: "AwsSolutions-COG4",
        reason:
          "Tokens are verified in the Lambda against the user pool's JWKS, so a Cognito authorizer would only duplicate the check.",
      },
    );
    new CfnOutput(this, "ApiUrl", { key: "ApiUrl", value: this.restApi.url });
    new CfnOutput(this, "ApiId", { key: "ApiId", value: this.restApi.restApiId });
    new CfnOutput(this, "ApiStage", { key: "ApiStage", value: this.restApi.deploymentStage.stageName });
  }
}
