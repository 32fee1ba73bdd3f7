import { Duration } from "aws-cdk-lib";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { Construct } from "constructs";
import { workerVariables } from "../../functions/contracts/environment.js";
import { setVariables } from "../environment.js";
import { GroundcrewFunction } from "./groundcrew-function.js";
import { TaskQueue, type TaskQueueProps } from "./task-queue.js";

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
export class WorkerQueue extends TaskQueue {
  public readonly worker: GroundcrewFunction;

  constructor(scope: Construct, id: string, props: TaskQueueProps) {
    const { config, name, queue } = props;
    if (queue.visibilityTimeoutSeconds < 6 * queue.workerTimeoutSeconds) {
      throw new Error(
        `WorkerQueue ${name}: visibilityTimeoutSeconds (${queue.visibilityTimeoutSeconds}) must be at least 6 x workerTimeoutSeconds (${queue.workerTimeoutSeconds})`,
      );
    }
    super(scope, id, props);
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
}
