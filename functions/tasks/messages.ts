import { SendMessageBatchCommand, SendMessageCommand, type SendMessageBatchCommandOutput } from "@aws-sdk/client-sqs";
import { z } from "zod";
import { isUuid } from "../core/db/parameters.js";
import { queueOf, type TaskDeps } from "./deps.js";
import type { TaskMessage } from "./task-record.js";

/** SQS takes 256 KiB per message; an outcome larger than this cannot ride along (see process-message.ts). */
export const MAX_MESSAGE_BYTES = 250_000;

export async function sendTaskMessage(deps: TaskDeps, queue: string, message: TaskMessage, delaySeconds = 0): Promise<void> {
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: queueOf(deps, queue).url,
      MessageBody: JSON.stringify(message),
      DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))),
    }),
  );
}

/**
 * Wake-ups for many tasks of one queue, ten per SQS call. Returns the ids whose message SQS
 * accepted, so callers count what was really sent. Nothing is thrown: a task whose wake-up SQS
 * refused (or could not be reached for) is queued in its row all the same, and the reconciler
 * sends it one on a later beat.
 */
export async function sendWakeUps(deps: TaskDeps, queue: string, tasks: readonly { id: string; name: string }[]): Promise<Set<string>> {
  const url = queueOf(deps, queue).url;
  const sent = new Set<string>();
  for (let start = 0; start < tasks.length; start += 10) {
    const chunk = tasks.slice(start, start + 10);
    let response: SendMessageBatchCommandOutput | undefined;
    try {
      response = await deps.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: chunk.map((task, i) => ({ Id: String(i), MessageBody: JSON.stringify({ taskId: task.id, name: task.name } satisfies TaskMessage) })),
        }),
      );
    } catch {
      continue;
    }
    for (const ok of response?.Successful ?? []) {
      const task = chunk[Number(ok.Id)];
      if (task) sent.add(task.id);
    }
  }
  return sent;
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
  return { taskId, name, ...(deferrals !== undefined && { deferrals }), ...(outcome && { outcome: outcome as TaskMessage["outcome"] & object }) };
}
