import { CfnOutput, Duration } from "aws-cdk-lib";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { Construct } from "constructs";
import type { Config } from "../../functions/core/config/schema.js";
import type { Alarms } from "./alarms.js";
import type { Database } from "./database.js";
import { GroundcrewFunction } from "./groundcrew-function.js";

export interface SchedulerProps {
  readonly config: Config;
  readonly database: Database;
  readonly alarms: Alarms;
}

/**
 * Celery beat, once: the app's only EventBridge schedule, ticking a dispatcher that claims each
 * (schedule, slot) in the database before it enqueues anything. An EventBridge rule rather than
 * EventBridge Scheduler: both emulators fire rules, and a rule is all a fixed tick needs.
 */
export class Scheduler extends Construct {
  public readonly dispatcher: GroundcrewFunction;
  public readonly rule: Rule;

  constructor(scope: Construct, id: string, props: SchedulerProps) {
    super(scope, id);
    this.dispatcher = new GroundcrewFunction(this, "Dispatcher", {
      entry: "scheduler/handler.ts",
      config: props.config,
      description: "The beat: enqueues due periodic tasks once per slot",
      timeout: Duration.seconds(50),
    });
    props.database.bind(this.dispatcher);
    this.rule = new Rule(this, "Tick", {
      description: "The only schedule of the app: one beat per tick",
      schedule: Schedule.expression(props.config.scheduler.expression),
      targets: [new LambdaFunction(this.dispatcher, { retryAttempts: 2, maxEventAge: Duration.minutes(5) })],
    });
    props.alarms.onFunctionErrors("Dispatcher", this.dispatcher);
    new CfnOutput(this, "DispatcherName", { key: "DispatcherFunctionName", value: this.dispatcher.functionName });
  }
}
