import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { json } from "../core/db/parameters.js";
import { NotFoundError } from "../core/errors.js";
import type { QueueAddresses, TaskDeps } from "./deps.js";
import { parseTaskMessage, sendWakeUps } from "./messages.js";
import { requeueDeadLettered } from "./requeue.js";

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
      const [main, dead] = await Promise.all([
        attributes(deps, addresses.url),
        attributes(deps, addresses.deadLetterUrl),
      ]);
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
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
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
  /** Failed, dead-lettered tasks set back to queued (attempts from zero) whose wake-up SQS accepted. */
  tasksRequeued: number;
  /** Set back to queued, but SQS refused the wake-up: the reconciler sends it on a later beat. */
  tasksAwaitingWakeUp: number;
  /** Queued or retrying tasks named by a dead letter (SQS gave up on their message): sent a fresh wake-up. */
  tasksWoken: number;
  /** Dead letters deleted: their tasks' rows were dealt with above, so the messages carry nothing more. */
  messagesDeleted: number;
  /** Dead letters left for an operator to read: they name no task (malformed). */
  messagesKept: number;
  /** The per-call limit was reached: call again for the rest. */
  more: boolean;
}

/** Rows and messages handled per call, so a redrive ends well inside the API's 29 seconds. */
const REDRIVE_LIMIT = 500;

/**
 * Brings a queue's dead letters back from the task rows, not from the messages: the row decides.
 * Failed tasks parked in the DLQ are set back to queued (attempts from zero) and each gets a fresh
 * wake-up; then the DLQ's messages are read and deleted. A dead letter whose task is still queued
 * or retrying (SQS gave up while the database was away) gets its task a fresh wake-up too; one
 * whose task finished, or was just requeued, is simply dropped. A redrive therefore never makes a
 * task run twice: every message, old or new, still has to win the claim.
 *
 * Nothing is moved, so the counts are what happened: a purged or expired DLQ (messages gone after
 * 14 days, rows kept 30) still brings every failed task back.
 */
export async function redriveDeadLetters(deps: TaskDeps, queue: string): Promise<RedriveResult> {
  const addresses = findQueue(deps, queue);
  if (!addresses) throw new NotFoundError(`No queue named "${queue}"`);
  const { requeued, messaged } = await requeueDeadLettered(deps, queue, REDRIVE_LIMIT);
  const letters = await drainDeadLetters(deps, addresses.deadLetterUrl, REDRIVE_LIMIT);
  const stranded = await deps.db.rows<{ id: string; name: string }>(
    `SELECT id, name FROM tasks
      WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text(:ids))
        AND queue = :queue AND status IN ('queued', 'retrying') AND wake_due_at <= now()`,
    { ids: json(letters.taskIds), queue },
  );
  // A task requeued a moment ago already has its wake-up.
  const justRequeued = new Set(requeued);
  const woken = await sendWakeUps(
    deps,
    queue,
    stranded.filter((task) => !justRequeued.has(task.id)),
  );
  if (woken.size > 0) {
    await deps.db.query(
      `UPDATE tasks SET wake_due_at = now() WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text(:ids))`,
      { ids: json([...woken]) },
    );
  }
  return {
    queue,
    tasksRequeued: messaged,
    tasksAwaitingWakeUp: requeued.length - messaged,
    tasksWoken: woken.size,
    messagesDeleted: letters.deleted,
    messagesKept: letters.kept,
    more: requeued.length >= REDRIVE_LIMIT || letters.deleted + letters.kept >= REDRIVE_LIMIT,
  };
}

/**
 * Reads the DLQ until it is empty (or `limit` messages) and deletes every message that names a
 * task. Malformed ones stay, invisible for a minute so the loop ends. Long polling (1 s) asks
 * every SQS server, so an empty answer means an empty queue, not an unlucky sample.
 */
async function drainDeadLetters(
  deps: TaskDeps,
  url: string,
  limit: number,
): Promise<{ taskIds: string[]; deleted: number; kept: number }> {
  const taskIds: string[] = [];
  let deleted = 0;
  let kept = 0;
  while (deleted + kept < limit) {
    const received = await deps.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60 }),
    );
    const messages = received?.Messages ?? [];
    if (messages.length === 0) break;
    const ours = messages.flatMap((m) => {
      const message = parseTaskMessage(m.Body ?? "");
      return message && m.ReceiptHandle ? [{ taskId: message.taskId, receiptHandle: m.ReceiptHandle }] : [];
    });
    kept += messages.length - ours.length;
    if (ours.length === 0) continue;
    const result = await deps.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: ours.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })),
      }),
    );
    for (const ok of result?.Successful ?? []) {
      const entry = ours[Number(ok.Id)];
      if (entry) taskIds.push(entry.taskId);
    }
    deleted += result?.Successful?.length ?? 0;
    kept += result?.Failed?.length ?? 0;
  }
  return { taskIds, deleted, kept };
}
