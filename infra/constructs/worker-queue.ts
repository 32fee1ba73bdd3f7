import { CfnOutput, Duration, RemovalPolicy } from "aws-cdk-lib";
import type { IGrantable } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { Config, QueueConfig } from "../../functions/contracts/config/schema.js";
import { workerVariables } from "../../functions/contracts/environment.js";
import { queueOutputKeys } from "../../functions/contracts/queue-outputs.js";
import { setVariables } from "../environment.js";
import { GroundcrewFunction } from "./groundcrew-function.js";

export interface WorkerQueueProps {
  readonly config: Config;
  /** The queue's name in configuration (`config.queues`). */
  readonly name: string;
  readonly queue: QueueConfig;
}

/**
 * The event source mapping refuses a maximum concurrency below 2 (SQS MaximumConcurrency).
 *
 * A cap of 1 is not built from reserved concurrency 1: behind an SQS event source that is the
 * throttling anti-pattern AWS warns about. The pollers keep receiving, the function is throttled,
 * each throttled message comes back and uses up a receive, and after maxReceiveCount it sits in the
 * DLQ though it never ran. Instead the mapping keeps its minimum of 2 and the database decides: the
 * worker claims a task of such a queue only together with the queue's one slot (table
 * `queue_slots`, see tasks/lifecycle.ts `claimWithSlot`). The second worker, finding the slot
 * taken, sends its message again with a delay and deletes the original (the same deferral as
 * during a database outage), so waiting for one's turn costs no receives and no attempts.
 */
const MIN_MAPPING_CONCURRENCY = 2;

/**
 * One Celery queue and its worker pool: an SQS queue with its dead-letter queue and a worker
 * Lambda whose concurrency is capped per queue (Celery's --concurrency), one task at a time by
 * default (prefetch 1), reporting partial batch failures. A cap of 1 is kept by the database, not
 * by Lambda (see MIN_MAPPING_CONCURRENCY).
 */
export class WorkerQueue extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly worker: GroundcrewFunction;
  public readonly queueName: string;

  constructor(scope: Construct, id: string, props: WorkerQueueProps) {
    super(scope, id);
    const { config, name, queue } = props;
    if (queue.visibilityTimeoutSeconds < 6 * queue.workerTimeoutSeconds) {
      throw new Error(
        `WorkerQueue ${name}: visibilityTimeoutSeconds (${queue.visibilityTimeoutSeconds}) must be at least 6 x workerTimeoutSeconds (${queue.workerTimeoutSeconds})`,
      );
    }
    this.queueName = name;
    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = createTaskQueues(this, props));
    this.worker = new GroundcrewFunction(this, "Worker", {
      kind: "worker",
      config,
      description: `Worker for the ${name} queue`,
      timeout: Duration.seconds(queue.workerTimeoutSeconds),
      memorySize: queue.workerMemoryMb,
    });
    setVariables(this.worker, workerVariables, {
      GROUNDCREW_WORKER_QUEUE: name,
      GROUNDCREW_WORKER_ONE_AT_A_TIME: queue.maxConcurrency === 1 ? "true" : undefined,
    });
    this.worker.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: queue.batchSize,
        reportBatchItemFailures: true,
        maxConcurrency: Math.max(queue.maxConcurrency, MIN_MAPPING_CONCURRENCY),
      }),
    );
    this.queue.grantSendMessages(this.worker);
    this.deadLetterQueue.grantSendMessages(this.worker);
  }

  /** What producers put in GROUNDCREW_QUEUES for this queue. */
  addresses(): { url: string; deadLetterUrl: string } {
    return { url: this.queue.queueUrl, deadLetterUrl: this.deadLetterQueue.queueUrl };
  }

  grantProduce(fn: IGrantable): void {
    this.queue.grantSendMessages(fn);
  }

  /** Depths, for GET /queues and the stuck-work check. */
  grantInspect(fn: LambdaFunction): void {
    this.queue.grant(fn, "sqs:GetQueueAttributes");
    this.deadLetterQueue.grant(fn, "sqs:GetQueueAttributes");
  }

  /** Depths, and moving dead letters back for redrive. */
  grantOperate(fn: LambdaFunction): void {
    this.queue.grant(fn, "sqs:GetQueueAttributes", "sqs:SendMessage");
    this.deadLetterQueue.grant(fn, "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:DeleteMessage");
  }
}

/**
 * A queue and its dead-letter queue, as every queue has them whatever runs its tasks (a worker
 * Lambda here, runners in container-queue.ts), with their URLs as stack outputs (Queue<Name>Url).
 */
export function createTaskQueues(scope: Construct, props: WorkerQueueProps): { queue: Queue; deadLetterQueue: Queue } {
  const { config, name, queue } = props;
  const removalPolicy = config.stage === "local" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
  const deadLetterQueue = new Queue(scope, "DeadLetters", {
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    removalPolicy,
  });
  const taskQueue = new Queue(scope, "Queue", {
    visibilityTimeout: Duration.seconds(queue.visibilityTimeoutSeconds),
    retentionPeriod: Duration.days(queue.retentionDays),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    // The worker parks exhausted tasks in the DLQ itself; this catches workers that die on a message.
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: queue.maxReceiveCount },
    removalPolicy,
  });
  const keys = queueOutputKeys(name);
  new CfnOutput(scope, "QueueUrl", { key: keys.url, value: taskQueue.queueUrl });
  new CfnOutput(scope, "DeadLetterUrl", { key: keys.deadLetterUrl, value: deadLetterQueue.queueUrl });
  return { queue: taskQueue, deadLetterQueue };
}
