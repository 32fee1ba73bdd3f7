import {
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type SendMessageBatchRequestEntry,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import type { QueueAddresses } from "../../functions/tasks/deps.js";

/** Queue addresses for benches that enqueue without an emulator: nothing is ever sent to them. */
export const benchQueues: Record<string, QueueAddresses> = {
  default: { url: "https://sqs.bench/default", deadLetterUrl: "https://sqs.bench/default-dlq" },
  reports: { url: "https://sqs.bench/reports", deadLetterUrl: "https://sqs.bench/reports-dlq" },
};

/**
 * A real SQSClient whose sends never leave the process: SendMessage and SendMessageBatch answer
 * success at once (every batch entry accepted), so a bench measures the code around them, not a queue.
 * `sent()` counts the messages handed over, single or batched.
 */
export function fakeSqs(): { sqs: SQSClient; sent: () => number } {
  const sqs = new SQSClient({ region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" } });
  const mock = mockClient(sqs);
  let messages = 0;
  mock.on(SendMessageCommand).callsFake(() => {
    messages += 1;
    return { MessageId: `m-${messages}` };
  });
  mock.on(SendMessageBatchCommand).callsFake((input: { Entries?: SendMessageBatchRequestEntry[] }) => {
    const entries = input.Entries ?? [];
    messages += entries.length;
    return { Successful: entries.map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: "" })), Failed: [] };
  });
  return { sqs, sent: () => messages };
}
