import { Duration, Stack, Validations } from "aws-cdk-lib";
import { FlowLogDestination, SubnetType, Vpc } from "aws-cdk-lib/aws-ec2";
import { Cluster } from "aws-cdk-lib/aws-ecs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import type { Config } from "../../functions/contracts/config/schema.js";
import { queueVariables } from "../../functions/contracts/environment.js";
import {
  hardLimitSeconds,
  taskLimitProblems,
  taskLimits,
  type TaskLimits,
} from "../../functions/contracts/task-limits.js";
import { setContainerVariables } from "../container-environment.js";
import { setVariables } from "../environment.js";
import type { Alarms } from "./alarms.js";
import { ContainerQueue } from "./container-queue.js";
import type { Database } from "./database.js";
import { WorkerQueue } from "./worker-queue.js";

export interface WorkerQueuesProps {
  readonly config: Config;
  readonly database: Database;
  readonly alarms: Alarms;
  /** A message older than this pages someone. @default 15 minutes */
  readonly maxMessageAge?: Duration;
  /** The tasks whose limits are checked against their queues' runtimes. @default every task (contracts/task-limits.ts) */
  readonly tasks?: readonly TaskLimits[];
}

/**
 * Every configured queue with its workers (a worker Lambda, or runners on ECS for runtime
 * "container"), and the one place that tells functions where the queues are. Refuses, at synth, a
 * task whose time limits its queue's runtime cannot keep (a 30-minute task on a Lambda queue).
 */
export class WorkerQueues extends Construct {
  /** The queues whose tasks run in worker Lambdas. */
  public readonly queues: WorkerQueue[];
  /** The queues whose tasks run in runners (runtime "container"). */
  public readonly containerQueues: ContainerQueue[];

  constructor(scope: Construct, id: string, props: WorkerQueuesProps) {
    super(scope, id);
    const { config } = props;
    const problems = taskLimitProblems(config, props.tasks ?? taskLimits);
    if (problems.length > 0) throw new Error(`Task limits do not fit their queues:\n  - ${problems.join("\n  - ")}`);

    const entries = Object.entries(config.queues);
    this.queues = entries
      .filter(([, queue]) => queue.runtime === "lambda")
      .map(([name, queue]) => new WorkerQueue(this, name, { config, name, queue }));
    const containers = entries.filter(([, queue]) => queue.runtime === "container");
    // Prod runs the runners on Fargate; locally `local:up` starts them as host processes.
    const network = config.stage === "prod" && containers.length > 0 ? this.runnerNetwork() : undefined;
    this.containerQueues = containers.map(
      ([name, queue]) => new ContainerQueue(this, name, { config, name, queue, database: props.database, network }),
    );

    for (const queue of this.queues) {
      props.database.bind(queue.worker);
      this.bindProducer(queue.worker);
      props.alarms.onFunctionErrors(`Worker-${queue.queueName}`, queue.worker);
    }
    for (const queue of this.containerQueues) this.bindRunners(queue);
    const maxAge = props.maxMessageAge ?? Duration.minutes(15);
    for (const queue of [...this.queues, ...this.containerQueues]) {
      props.alarms.onDeadLetters(`Queue-${queue.queueName}`, queue.deadLetterQueue);
      // A message stays in the queue while its task runs: on a container queue that can be the longest
      // hard limit of its tasks, so the alarm waits that long beyond the usual age.
      const longest = Math.max(
        0,
        ...(props.tasks ?? taskLimits).filter((t) => t.queue === queue.queueName).map(hardLimitSeconds),
      );
      const age = queue instanceof ContainerQueue ? maxAge.plus(Duration.seconds(longest)) : maxAge;
      props.alarms.onOldestMessage(`Queue-${queue.queueName}`, queue.queue, age);
    }
  }

  get workers(): LambdaFunction[] {
    return this.queues.map((q) => q.worker);
  }

  private get allQueues(): (WorkerQueue | ContainerQueue)[] {
    return [...this.queues, ...this.containerQueues];
  }

  /** Lets `fn` enqueue tasks on any queue: send rights plus the queue addresses. */
  bindProducer(fn: LambdaFunction): void {
    this.bindAddresses(fn);
    for (const queue of this.allQueues) queue.grantProduce(fn);
  }

  /** Queue depths only (the maintenance stuck-work check). */
  grantInspect(fn: LambdaFunction): void {
    this.bindAddresses(fn);
    for (const queue of this.allQueues) queue.grantInspect(fn);
  }

  /** Queue depths and dead-letter redrive, for operators (GET /queues, POST /queues/{name}/redrive). */
  grantOperate(fn: LambdaFunction): void {
    this.bindAddresses(fn);
    for (const queue of this.allQueues) queue.grantOperate(fn);
  }

  /** A container queue's runners are producers too (a task may enqueue tasks): bindProducer for their container. */
  private bindRunners(queue: ContainerQueue): void {
    if (!queue.container || !queue.service) return;
    setContainerVariables(queue.container, queueVariables, { GROUNDCREW_QUEUES: this.addressesJson() });
    for (const each of this.allQueues) each.grantProduce(queue.service.taskDefinition.taskRole);
  }

  /** GROUNDCREW_QUEUES: every queue's and dead-letter queue's URL, by configured name. */
  private bindAddresses(fn: LambdaFunction): void {
    setVariables(fn, queueVariables, { GROUNDCREW_QUEUES: this.addressesJson() });
  }

  private addressesJson(): string {
    const addresses = Object.fromEntries(this.allQueues.map((q) => [q.queueName, q.addresses()]));
    return Stack.of(this).toJsonString(addresses);
  }

  /**
   * One VPC and cluster for every container queue's runners: two public subnets and no NAT gateway
   * (see ContainerQueue for the cost of this choice against VPC endpoints).
   */
  private runnerNetwork() {
    const vpc = new Vpc(this, "RunnerVpc", {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: "runners", subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
      flowLogs: {
        rejected: {
          destination: FlowLogDestination.toCloudWatchLogs(
            new LogGroup(this, "RunnerFlowLogs", { retention: RetentionDays.ONE_MONTH }),
          ),
        },
      },
    });
    const cluster = new Cluster(this, "RunnerCluster", { vpc });
    Validations.of(cluster).acknowledge({
      id: "AwsSolutions-ECS4",
      reason:
        "Container Insights is billed per metric and runner; the queue's metrics (backlog, age, dead letters) and the runners' EMF counts already say what a runner does.",
    });
    return { vpc, cluster };
  }
}
