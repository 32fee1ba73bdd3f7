import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { isUuid } from "../core/db/parameters.js";
import { queueOf, type TaskDeps } from "./deps.js";
import type { TaskMessage } from "./task-record.js";

export async function sendTaskMessage(deps: TaskDeps, queue: string, message: TaskMessage, delaySeconds = 0): Promise<void> {
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: queueOf(deps, queue).url,
      MessageBody: JSON.stringify(message),
      DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))),
    }),
  );
}

/** Parks a message in the queue's DLQ, with why, so an operator can inspect and redrive it. */
export async function sendToDeadLetters(deps: TaskDeps, queue: string, body: string, reason: string): Promise<void> {
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: queueOf(deps, queue).deadLetterUrl,
      MessageBody: body,
      MessageAttributes: { reason: { DataType: "String", StringValue: reason.slice(0, 1000) } },
    }),
  );
}

/** A message this app sent: its task id is a uuid (anything else could never match a task, so it is malformed). */
export function parseTaskMessage(body: string): TaskMessage | undefined {
  try {
    const value = JSON.parse(body) as Partial<TaskMessage>;
    return typeof value.taskId === "string" && isUuid(value.taskId) && typeof value.name === "string" ? { taskId: value.taskId, name: value.name } : undefined;
  } catch {
    return undefined;
  }
}
