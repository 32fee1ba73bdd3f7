import { CfnOutput, RemovalPolicy, Validations } from "aws-cdk-lib";
import {
  AccessLogFormat,
  EndpointType,
  LambdaRestApi,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
} from "aws-cdk-lib/aws-apigateway";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { PROBLEM_CONTENT_TYPE } from "../../functions/contracts/api/problem.js";
import type { Config } from "../../functions/contracts/config/schema.js";

export interface ApiProps {
  readonly config: Config;
  /** The API Lambda; it routes every path itself (functions/api/handler.ts). */
  readonly handler: IFunction;
  /** @default "api" */
  readonly stageName?: string;
}

/**
 * What API Gateway answers itself, before or instead of the Lambda, as problem details (RFC 9457)
 * like every other error of the API: by gateway response type, the status sent and its title.
 * Every type API Gateway has is listed, so the defaults catch only what AWS adds later.
 */
export const GATEWAY_PROBLEMS: readonly { type: ResponseType; status: number; title: string }[] = [
  { type: ResponseType.THROTTLED, status: 429, title: "Too Many Requests" },
  { type: ResponseType.QUOTA_EXCEEDED, status: 429, title: "Too Many Requests" },
  { type: ResponseType.INTEGRATION_TIMEOUT, status: 504, title: "Gateway Timeout" },
  { type: ResponseType.INTEGRATION_FAILURE, status: 504, title: "Gateway Timeout" },
  { type: ResponseType.REQUEST_TOO_LARGE, status: 413, title: "Content Too Large" },
  { type: ResponseType.UNAUTHORIZED, status: 401, title: "Unauthorized" },
  { type: ResponseType.ACCESS_DENIED, status: 403, title: "Forbidden" },
  { type: ResponseType.EXPIRED_TOKEN, status: 403, title: "Forbidden" },
  { type: ResponseType.INVALID_SIGNATURE, status: 403, title: "Forbidden" },
  { type: ResponseType.INVALID_API_KEY, status: 403, title: "Forbidden" },
  { type: ResponseType.WAF_FILTERED, status: 403, title: "Forbidden" },
  // A path no resource matches (another stage, a typo before the proxy): API Gateway says 403
  // "Missing Authentication Token"; it is a missing route, so 404 as the Lambda's router answers.
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, status: 404, title: "Not Found" },
  { type: ResponseType.RESOURCE_NOT_FOUND, status: 404, title: "Not Found" },
  { type: ResponseType.BAD_REQUEST_BODY, status: 400, title: "Bad Request" },
  { type: ResponseType.BAD_REQUEST_PARAMETERS, status: 400, title: "Bad Request" },
  { type: ResponseType.UNSUPPORTED_MEDIA_TYPE, status: 415, title: "Unsupported Media Type" },
  { type: ResponseType.API_CONFIGURATION_ERROR, status: 500, title: "Internal Server Error" },
  { type: ResponseType.AUTHORIZER_CONFIGURATION_ERROR, status: 500, title: "Internal Server Error" },
  { type: ResponseType.AUTHORIZER_FAILURE, status: 500, title: "Internal Server Error" },
  { type: ResponseType.DEFAULT_4XX, status: 400, title: "Bad Request" },
  // What remains of 5xx is the Lambda failing (a crash, a malformed answer): API Gateway's 502.
  { type: ResponseType.DEFAULT_5XX, status: 502, title: "Bad Gateway" },
];

/** A problem body as a mapping template; `$context.error.messageString` is API Gateway's message, already quoted. */
export function gatewayProblemTemplate(status: number, title: string): string {
  return `{"type":"about:blank","title":${JSON.stringify(title)},"status":${status},"detail":$context.error.messageString,"requestId":"$context.requestId"}`;
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
    for (const { type, status, title } of GATEWAY_PROBLEMS) {
      this.restApi.addGatewayResponse(`Problem${type.responseType}`, {
        type,
        statusCode: String(status),
        responseHeaders: { "Content-Type": `'${PROBLEM_CONTENT_TYPE}'` },
        templates: { "application/json": gatewayProblemTemplate(status, title) },
      });
    }
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
