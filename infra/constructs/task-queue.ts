import { CfnOutput, Duration, RemovalPolicy } from "aws-cdk-lib";
import type { IGrantable } from "aws-cdk-lib/aws-iam";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { Config, QueueConfig } from "../../functions/contracts/config/schema.js";
import { queueOutputKeys } from "../../functions/contracts/queue-outputs.js";

export interface TaskQueueProps {
  readonly config: Config;
  /** The queue's name in configuration (`config.queues`). */
  readonly name: string;
  readonly queue: QueueConfig;
}

/**
 * A queue and its dead-letter queue, as every queue has them whatever runs its tasks (a worker
 * Lambda in worker-queue.ts, runners in container-queue.ts), with their URLs as stack outputs
 * (Queue<Name>Url), and the rights producers and operators get on them.
 */
export abstract class TaskQueue extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly queueName: string;

  protected constructor(scope: Construct, id: string, props: TaskQueueProps) {
    super(scope, id);
    const { config, name, queue } = props;
    this.queueName = name;
    const removalPolicy = config.stage === "local" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.deadLetterQueue = new Queue(this, "DeadLetters", {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
    });
    this.queue = new Queue(this, "Queue", {
      visibilityTimeout: Duration.seconds(queue.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(queue.retentionDays),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The worker parks exhausted tasks in the DLQ itself; this catches workers that die on a message.
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: queue.maxReceiveCount },
      removalPolicy,
    });
    const keys = queueOutputKeys(name);
    new CfnOutput(this, "QueueUrl", { key: keys.url, value: this.queue.queueUrl });
    new CfnOutput(this, "DeadLetterUrl", { key: keys.deadLetterUrl, value: this.deadLetterQueue.queueUrl });
  }

  /** What producers put in GROUNDCREW_QUEUES for this queue. */
  addresses(): { url: string; deadLetterUrl: string } {
    return { url: this.queue.queueUrl, deadLetterUrl: this.deadLetterQueue.queueUrl };
  }

  grantProduce(grantee: IGrantable): void {
    this.queue.grantSendMessages(grantee);
  }

  /** Depths, for GET /queues and the stuck-work check. */
  grantInspect(grantee: IGrantable): void {
    this.queue.grant(grantee, "sqs:GetQueueAttributes");
    this.deadLetterQueue.grant(grantee, "sqs:GetQueueAttributes");
  }

  /** Depths, and moving dead letters back for redrive. */
  grantOperate(grantee: IGrantable): void {
    this.queue.grant(grantee, "sqs:GetQueueAttributes", "sqs:SendMessage");
    this.deadLetterQueue.grant(grantee, "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:DeleteMessage");
  }
}
