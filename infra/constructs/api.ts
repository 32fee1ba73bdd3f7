import { CfnOutput } from "aws-cdk-lib";
import { EndpointType, LambdaRestApi, MethodLoggingLevel } from "aws-cdk-lib/aws-apigateway";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import type { Config } from "../../functions/core/config/schema.js";

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
    this.restApi = new LambdaRestApi(this, "RestApi", {
      restApiName: `${config.app}-${config.stage}`,
      handler: props.handler,
      proxy: true,
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName: props.stageName ?? "api",
        throttlingRateLimit: config.api.throttleRateLimit,
        throttlingBurstLimit: config.api.throttleBurstLimit,
        loggingLevel: MethodLoggingLevel.OFF,
      },
    });
    new CfnOutput(this, "ApiUrl", { key: "ApiUrl", value: this.restApi.url });
    new CfnOutput(this, "ApiId", { key: "ApiId", value: this.restApi.restApiId });
    new CfnOutput(this, "ApiStage", { key: "ApiStage", value: this.restApi.deploymentStage.stageName });
  }
}
