import { CfnOutput, Duration, Stack } from "aws-cdk-lib";
import { CfnRule, Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { CfnSchedule } from "aws-cdk-lib/aws-scheduler";
import { Construct, type IConstruct } from "constructs";
import type { Config } from "../../functions/contracts/config/schema.js";
import { CLAIM_LEASE_SECONDS } from "../../functions/contracts/scheduler.js";
import type { Alarms } from "./alarms.js";
import type { Database } from "./database.js";
import { GroundcrewFunction } from "./groundcrew-function.js";

export interface SchedulerProps {
  readonly config: Config;
  readonly database: Database;
  readonly alarms: Alarms;
  /**
   * The dispatcher's Lambda timeout. Must stay under the slot-claim lease, or a slow tick's claims
   * could be taken over while it still works on them.
   * @default Duration.seconds(50)
   */
  readonly timeout?: Duration;
  /**
   * How many times EventBridge retries a failed tick. Each retry is an ordinary tick: claims keep it
   * from starting anything twice.
   * @default 2
   */
  readonly retryAttempts?: number;
}

/**
 * Celery beat, once: the app's only EventBridge schedule, ticking a dispatcher that claims each
 * (schedule, slot) in the database before it enqueues anything. An EventBridge rule rather than
 * EventBridge Scheduler: both emulators fire rules (LocalStack stores Scheduler schedules without
 * firing them), and a rule is all a fixed tick needs. Synth fails if anything else in the stack
 * brings its own schedule: periodic work is a periodic entry, never a second beat.
 */
export class Scheduler extends Construct {
  public readonly dispatcher: GroundcrewFunction;
  public readonly rule: Rule;

  constructor(scope: Construct, id: string, props: SchedulerProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(50);
    if (timeout.toSeconds() >= CLAIM_LEASE_SECONDS) {
      throw new Error(
        `Scheduler: the dispatcher timeout (${timeout.toSeconds()} s) must be under the slot-claim lease (${CLAIM_LEASE_SECONDS} s)`,
      );
    }
    const retryAttempts = props.retryAttempts ?? 2;
    if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 185) {
      throw new Error(`Scheduler: retryAttempts must be an integer from 0 to 185, got ${retryAttempts}`);
    }

    this.dispatcher = new GroundcrewFunction(this, "Dispatcher", {
      kind: "dispatcher",
      config: props.config,
      description: "The beat: enqueues due periodic tasks once per slot",
      timeout,
    });
    props.database.bind(this.dispatcher);
    this.rule = new Rule(this, "Tick", {
      description: "The only schedule of the app: one beat per tick",
      schedule: Schedule.expression(props.config.scheduler.expression),
      targets: [new LambdaFunction(this.dispatcher, { retryAttempts, maxEventAge: Duration.minutes(5) })],
    });
    props.alarms.onFunctionErrors("Dispatcher", this.dispatcher);
    new CfnOutput(this, "DispatcherName", { key: "DispatcherFunctionName", value: this.dispatcher.functionName });

    this.node.addValidation({
      validate: () =>
        this.otherSchedules().map(
          (path) =>
            `Scheduler: ${path} is a second schedule; add a periodic entry in functions/scheduler/periodic.ts instead`,
        ),
    });
  }

  /** Every schedule in the stack but the beat: rules with a schedule expression and Scheduler schedules. */
  private otherSchedules(): string[] {
    const ours = this.rule.node.defaultChild;
    const isSchedule = (c: IConstruct) =>
      (c instanceof CfnRule && c.scheduleExpression !== undefined) || c instanceof CfnSchedule;
    return Stack.of(this)
      .node.findAll()
      .filter((c) => isSchedule(c) && c !== ours)
      .map((c) => c.node.path);
  }
}
