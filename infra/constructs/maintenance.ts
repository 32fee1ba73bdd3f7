import { Arn, ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Metric } from "aws-cdk-lib/aws-cloudwatch";
import { EventBus } from "aws-cdk-lib/aws-events";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import {
  Chain,
  DefinitionBody,
  Fail,
  JsonPath,
  LogLevel,
  Pass,
  Result,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
} from "aws-cdk-lib/aws-stepfunctions";
import { LambdaInvoke } from "aws-cdk-lib/aws-stepfunctions-tasks";
import { Construct } from "constructs";
import type { Config } from "../../functions/contracts/config/schema.js";
import { eventVariables, maintenanceStartVariables } from "../../functions/contracts/environment.js";
import { maintenanceStepNames, type MaintenanceStepName } from "../../functions/contracts/maintenance.js";
import { setVariables } from "../environment.js";
import type { Alarms } from "./alarms.js";
import type { Database } from "./database.js";
import { GroundcrewFunction } from "./groundcrew-function.js";
import { nagEnv } from "./nag-ids.js";

export interface MaintenanceProps {
  readonly config: Config;
  readonly database: Database;
  readonly alarms: Alarms;
  /** Step names in the order they run. @default every step, VACUUM last */
  readonly steps?: readonly MaintenanceStepName[];
}

/** Errors worth another try: the database resuming or briefly away, Lambda's own hiccups. */
const TRANSIENT_ERRORS = [
  "DatabaseUnavailableError",
  "Lambda.ClientExecutionTimeoutException",
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
];

/**
 * The daily maintenance procedure (what a cron job running `manage.py` commands did) as a Standard state machine: one Lambda task per step, strictly in
 * sequence (no Parallel or Map), each retried on transient errors; the first real failure closes
 * the run as failed and stops it. No schedule lives here: the app's single beat starts it.
 */
export class Maintenance extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly stepFunction: GroundcrewFunction;
  public readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: MaintenanceProps) {
    super(scope, id);
    const steps: readonly string[] = props.steps ?? maintenanceStepNames;
    if (steps[steps.length - 1] !== "vacuum") throw new Error("Maintenance: the vacuum step must come last");
    const known: readonly string[] = maintenanceStepNames;
    const unknown = steps.filter((s) => !known.includes(s));
    if (unknown.length > 0) throw new Error(`Maintenance: unknown steps ${unknown.join(", ")}`);

    this.bus = new EventBus(this, "Bus", { eventBusName: `${props.config.app}-${props.config.stage}` });
    this.stepFunction = new GroundcrewFunction(this, "Steps", {
      kind: "maintenance",
      config: props.config,
      description: "Maintenance steps, and closing a run",
      timeout: Duration.minutes(15),
      memorySize: 512,
    });
    props.database.bind(this.stepFunction);
    this.grantEvents(this.stepFunction);

    const invoke = (name: string, payload: Record<string, unknown>, resultPath: string) =>
      new LambdaInvoke(this, name, {
        lambdaFunction: this.stepFunction,
        payload: TaskInput.fromObject({
          runId: JsonPath.stringAt("$.runId"),
          eventId: JsonPath.stringAt("$.eventId"),
          ...payload,
        }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath,
      });
    const failRun = invoke(
      "Close failed run",
      { action: "fail", failedStep: JsonPath.stringAt("$.failedStep"), error: JsonPath.objectAt("$.error") },
      JsonPath.DISCARD,
    ).next(
      new Fail(this, "Run failed", {
        error: "MaintenanceStepFailed",
        cause: "A maintenance step failed; see the server.maintenance event",
      }),
    );

    let chain: Chain | undefined;
    for (const step of steps) {
      const task = invoke(
        `Step ${step}`,
        { action: "step", step, failAt: JsonPath.stringAt("$.failAt") },
        `$.results.${step.replaceAll("-", "_")}`,
      );
      task.addRetry({ errors: TRANSIENT_ERRORS, interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2 });
      task.addCatch(
        new Pass(this, `Failed at ${step}`, { result: Result.fromString(step), resultPath: "$.failedStep" }).next(
          failRun,
        ),
        { resultPath: "$.error" },
      );
      chain = chain ? chain.next(task) : Chain.start(task);
    }
    const finish = invoke(
      "Close finished run",
      { action: "finish", results: JsonPath.objectAt("$.results") },
      JsonPath.DISCARD,
    ).next(new Succeed(this, "Run finished"));
    const definition = (chain as Chain).next(finish);

    this.stateMachine = new StateMachine(this, "StateMachine", {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(2),
      tracingEnabled: props.config.stage === "prod",
      logs:
        props.config.stage === "prod"
          ? {
              destination: new LogGroup(this, "Logs", {
                retention: RetentionDays.THREE_MONTHS,
                removalPolicy: RemovalPolicy.RETAIN,
              }),
              level: LogLevel.ALL,
            }
          : undefined,
    });
    Validations.of(this.stateMachine).acknowledge(
      {
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "X-Ray trace segments and CloudWatch Logs delivery have no resource-level permissions; AWS documents * for both.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.stepFunction.node.defaultChild as never)}.Arn>:*]`,
        reason: "LambdaInvoke may call any version of the one step function; the grant stays on that function.",
      },
    );
    props.alarms.onMetric(
      "MaintenanceFailed",
      this.stateMachine.metricFailed({ period: Duration.hours(1) }),
      1,
      "A maintenance run failed",
    );
    props.alarms.onMetric(
      "StuckWorkFound",
      new Metric({
        namespace: "Groundcrew",
        metricName: "StuckWork",
        dimensionsMap: { service: "maintenance" },
        statistic: "Maximum",
        period: Duration.hours(1),
      }),
      1,
      "The stuck-work check found tasks past their lease, queued too long, or dead letters",
    );
    new CfnOutput(this, "StateMachineArn", {
      key: "MaintenanceStateMachineArn",
      value: this.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, "EventBusName", { key: "EventBusName", value: this.bus.eventBusName });
  }

  /** Lets `fn` start runs (API, dispatcher): states:StartExecution plus the ARN, and the events it writes. */
  grantStart(fn: LambdaFunction): void {
    this.stateMachine.grantStartExecution(fn);
    // Telling a stale "in progress" row from a live run needs DescribeExecution on this machine's executions only.
    const executions = Arn.format(
      {
        service: "states",
        resource: "execution",
        resourceName: `${Arn.split(this.stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      Stack.of(this),
    );
    fn.addToRolePolicy(new PolicyStatement({ actions: ["states:DescribeExecution"], resources: [executions] }));
    const { partition, account, region } = nagEnv(this);
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${partition}:states:${region}:${account}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as never)}"}]}]}:*]`,
      reason:
        "Execution names are chosen per run (run id or day); the grant covers this state machine's executions only.",
    });
    setVariables(fn, maintenanceStartVariables, { MAINTENANCE_STATE_MACHINE_ARN: this.stateMachine.stateMachineArn });
    this.grantEvents(fn);
  }

  grantEvents(fn: LambdaFunction): void {
    this.bus.grantPutEventsTo(fn);
    setVariables(fn, eventVariables, { EVENT_BUS_NAME: this.bus.eventBusName });
  }
}
