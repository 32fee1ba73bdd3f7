import { Duration, Stack } from "aws-cdk-lib";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import type { Config } from "../../functions/contracts/config/schema.js";
import { queueVariables } from "../../functions/contracts/environment.js";
import { setVariables } from "../environment.js";
import type { Alarms } from "./alarms.js";
import type { Database } from "./database.js";
import { WorkerQueue } from "./worker-queue.js";

export interface WorkerQueuesProps {
  readonly config: Config;
  readonly database: Database;
  readonly alarms: Alarms;
  /** A message older than this pages someone. @default 15 minutes */
  readonly maxMessageAge?: Duration;
}

/** Every configured queue with its workers, and the one place that tells functions where the queues are. */
export class WorkerQueues extends Construct {
  public readonly queues: WorkerQueue[];

  constructor(scope: Construct, id: string, props: WorkerQueuesProps) {
    super(scope, id);
    this.queues = Object.entries(props.config.queues).map(
      ([name, queue]) => new WorkerQueue(this, name, { config: props.config, name, queue }),
    );
    for (const queue of this.queues) {
      props.database.bind(queue.worker);
      this.bindProducer(queue.worker);
      props.alarms.onDeadLetters(`Queue-${queue.queueName}`, queue.deadLetterQueue);
      props.alarms.onOldestMessage(
        `Queue-${queue.queueName}`,
        queue.queue,
        props.maxMessageAge ?? Duration.minutes(15),
      );
      props.alarms.onFunctionErrors(`Worker-${queue.queueName}`, queue.worker);
    }
  }

  get workers(): LambdaFunction[] {
    return this.queues.map((q) => q.worker);
  }

  /** Lets `fn` enqueue tasks on any queue: send rights plus the queue addresses. */
  bindProducer(fn: LambdaFunction): void {
    this.bindAddresses(fn);
    for (const queue of this.queues) queue.grantProduce(fn);
  }

  /** Queue depths only (the maintenance stuck-work check). */
  grantInspect(fn: LambdaFunction): void {
    this.bindAddresses(fn);
    for (const queue of this.queues) queue.grantInspect(fn);
  }

  /** Queue depths and dead-letter redrive, for operators (GET /queues, POST /queues/{name}/redrive). */
  grantOperate(fn: LambdaFunction): void {
    this.bindAddresses(fn);
    for (const queue of this.queues) queue.grantOperate(fn);
  }

  /** GROUNDCREW_QUEUES: every queue's and dead-letter queue's URL, by configured name. */
  private bindAddresses(fn: LambdaFunction): void {
    const addresses = Object.fromEntries(this.queues.map((q) => [q.queueName, q.addresses()]));
    setVariables(fn, queueVariables, { GROUNDCREW_QUEUES: Stack.of(this).toJsonString(addresses) });
  }
}
