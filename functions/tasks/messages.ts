import { SendMessageBatchCommand, SendMessageCommand, type SendMessageBatchCommandOutput } from "@aws-sdk/client-sqs";
import * as z from "zod";
import { isUuid } from "../core/db/parameters.js";
import { queueOf, type TaskDeps } from "./deps.js";
import type { TaskMessage } from "./task-record.js";

/** SQS takes 256 KiB per message; an outcome larger than this cannot ride along (see process-message.ts). */
export const MAX_MESSAGE_BYTES = 250_000;

export async function sendTaskMessage(
  deps: TaskDeps,
  queue: string,
  message: TaskMessage,
  delaySeconds = 0,
): Promise<void> {
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: queueOf(deps, queue).url,
      MessageBody: JSON.stringify(message),
      DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))),
    }),
  );
}

/** One task's wake-up, with how long SQS holds it back. */
export interface OutgoingMessage {
  taskId: string;
  name: string;
  delaySeconds?: number;
}

/** SendMessageBatch calls in flight at once per queue: ten messages each, so 80 messages per round trip. */
const SEND_LANES = 8;

/**
 * Wake-ups for many tasks of one queue, ten per SendMessageBatch call, several calls at once.
 * Returns the ids SQS accepted and, when some were not, the first error met; nothing is thrown.
 * A lone message goes as SendMessage: the same one call, and its refusal is SQS's own error.
 */
export async function sendTaskMessages(
  deps: TaskDeps,
  queue: string,
  messages: readonly OutgoingMessage[],
): Promise<{ accepted: Set<string>; error?: unknown }> {
  if (messages.length === 0) return { accepted: new Set() };
  if (!Object.hasOwn(deps.queues, queue))
    return { accepted: new Set(), error: new Error(`Queue "${queue}" is not configured`) };
  if (messages.length !== 1) return sendBatches(deps, queue, messages);
  const [only] = messages as [OutgoingMessage];
  try {
    await sendTaskMessage(deps, queue, { taskId: only.taskId, name: only.name }, only.delaySeconds ?? 0);
    return { accepted: new Set([only.taskId]) };
  } catch (error) {
    return { accepted: new Set(), error };
  }
}

async function sendBatches(
  deps: TaskDeps,
  queue: string,
  messages: readonly OutgoingMessage[],
): Promise<{ accepted: Set<string>; error?: unknown }> {
  const url = queueOf(deps, queue).url;
  const accepted = new Set<string>();
  let error: unknown;
  const body = (m: OutgoingMessage) => JSON.stringify({ taskId: m.taskId, name: m.name } satisfies TaskMessage);
  const delay = (m: OutgoingMessage) => Math.max(0, Math.min(900, Math.round(m.delaySeconds ?? 0)));
  const chunks: OutgoingMessage[][] = [];
  for (let start = 0; start < messages.length; start += 10) chunks.push(messages.slice(start, start + 10));
  let next = 0;
  const lane = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as OutgoingMessage[];
      let response: SendMessageBatchCommandOutput;
      try {
        response = await deps.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: chunk.map((m, i) => ({ Id: String(i), MessageBody: body(m), DelaySeconds: delay(m) })),
          }),
        );
      } catch (caught) {
        error ??= caught;
        continue;
      }
      for (const ok of response.Successful ?? []) {
        const message = chunk[Number(ok.Id)];
        if (message) accepted.add(message.taskId);
      }
      const refused = response.Failed?.[0];
      if (refused)
        error ??= new Error(`SQS refused a message: ${refused.Code ?? "unknown"} ${refused.Message ?? ""}`.trim());
    }
  };
  await Promise.all(Array.from({ length: Math.min(SEND_LANES, chunks.length) }, lane));
  return { accepted, error };
}

/**
 * Wake-ups for many tasks of one queue, always batched (see sendTaskMessages). Returns the ids whose message SQS
 * accepted, so callers count what was really sent. Nothing is thrown: a task whose wake-up SQS
 * refused (or could not be reached for) is queued in its row all the same, and the reconciler
 * sends it one on a later beat.
 */
export async function sendWakeUps(
  deps: TaskDeps,
  queue: string,
  tasks: readonly { id: string; name: string }[],
): Promise<Set<string>> {
  return (
    await sendBatches(
      deps,
      queue,
      tasks.map((task) => ({ taskId: task.id, name: task.name })),
    )
  ).accepted;
}

/** Parks a message in the queue's DLQ, with why, so an operator can inspect it. */
export async function sendToDeadLetters(deps: TaskDeps, queue: string, body: string, reason: string): Promise<void> {
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: queueOf(deps, queue).deadLetterUrl,
      MessageBody: body,
      MessageAttributes: { reason: { DataType: "String", StringValue: reason.slice(0, 1000) } },
    }),
  );
}

const attempt = z.number().int().min(1);
const messageSchema = z.object({
  taskId: z.string().refine(isUuid),
  name: z.string(),
  deferrals: z.number().int().min(0).optional(),
  outcome: z
    .discriminatedUnion("status", [
      z.object({ attempt, status: z.literal("succeeded"), result: z.unknown() }),
      z.object({ attempt, status: z.literal("retrying"), error: z.string(), retryInSeconds: z.number().min(0) }),
      z.object({ attempt, status: z.literal("failed"), error: z.string() }),
      z.object({ attempt, status: z.literal("released"), retryInSeconds: z.number().min(0) }),
    ])
    .optional(),
});

/** A message this app sent: its task id is a uuid (anything else could never match a task, so it is malformed). */
export function parseTaskMessage(body: string): TaskMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = messageSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { taskId, name, deferrals, outcome } = parsed.data;
  return { taskId, name, ...(deferrals !== undefined && { deferrals }), ...(outcome && { outcome: outcome }) };
}
