import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { NotFoundError } from "../core/errors.js";
import type { QueueAddresses, TaskDeps } from "./deps.js";

export interface QueueStats {
  name: string;
  depth: number;
  inFlight: number;
  delayed: number;
  deadLetterDepth: number;
}

export async function queueStats(deps: TaskDeps): Promise<QueueStats[]> {
  return Promise.all(
    Object.entries(deps.queues).map(async ([name, addresses]) => {
      const [main, dead] = await Promise.all([attributes(deps, addresses.url), attributes(deps, addresses.deadLetterUrl)]);
      return {
        name,
        depth: Number(main.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(main.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(main.ApproximateNumberOfMessagesDelayed ?? 0),
        deadLetterDepth: Number(dead.ApproximateNumberOfMessages ?? 0),
      };
    }),
  );
}

async function attributes(deps: TaskDeps, url: string): Promise<Record<string, string>> {
  const { Attributes } = await deps.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
    }),
  );
  return Attributes ?? {};
}

/**
 * A configured queue by name, looked up as an own property: "__proto__", "constructor" or
 * "toString" are names of no queue, not the Object prototype's members.
 */
export function findQueue(deps: TaskDeps, name: string): QueueAddresses | undefined {
  return Object.hasOwn(deps.queues, name) ? deps.queues[name] : undefined;
}

export interface RedriveResult {
  queue: string;
  /** Tasks set back to queued so their returning messages run them again. */
  tasksRequeued: number;
  method: "StartMessageMoveTask" | "receive-send-delete";
  messagesMoved?: number;
}

/**
 * Brings a queue's dead letters back: failed tasks parked there are reset (attempts from zero),
 * then the messages move back to the queue. SQS's StartMessageMoveTask does the move where the
 * endpoint has it; emulators without it get the same effect message by message.
 */
export async function redriveDeadLetters(deps: TaskDeps, queue: string): Promise<RedriveResult> {
  const addresses = findQueue(deps, queue);
  if (!addresses) throw new NotFoundError(`No queue named "${queue}"`);
  const { updated } = await deps.db.query(
    `UPDATE tasks SET status = 'queued', attempts = 0, error = NULL, finished_at = NULL, dead_lettered_at = NULL,
            updated_at = now()
      WHERE queue = :queue AND status = 'failed' AND dead_lettered_at IS NOT NULL`,
    { queue },
  );
  const sourceArn = await queueArn(deps, addresses.deadLetterUrl);
  try {
    await deps.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: await queueArn(deps, addresses.url) }));
    return { queue, tasksRequeued: updated, method: "StartMessageMoveTask" };
  } catch (error) {
    if (!isUnsupported(error)) throw error;
  }
  const moved = await moveByHand(deps, addresses.deadLetterUrl, addresses.url);
  return { queue, tasksRequeued: updated, method: "receive-send-delete", messagesMoved: moved };
}

async function queueArn(deps: TaskDeps, url: string): Promise<string> {
  const { Attributes } = await deps.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  if (!Attributes?.QueueArn) throw new Error(`No ARN for ${url}`);
  return Attributes.QueueArn;
}

function isUnsupported(error: unknown): boolean {
  const name = (error as { name?: string; Code?: string }).name ?? "";
  return /InvalidAction|UnsupportedOperation|NotImplemented|UnknownOperation/i.test(name) || /not (implemented|supported)|InvalidAction/i.test(String((error as Error).message));
}

async function moveByHand(deps: TaskDeps, from: string, to: string): Promise<number> {
  let moved = 0;
  for (;;) {
    const { Messages = [] } = await deps.sqs.send(new ReceiveMessageCommand({ QueueUrl: from, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30 }));
    if (Messages.length === 0) return moved;
    await deps.sqs.send(new SendMessageBatchCommand({ QueueUrl: to, Entries: Messages.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? "" })) }));
    await deps.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: from, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })) }));
    moved += Messages.length;
  }
}
