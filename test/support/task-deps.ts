import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import type { Database } from "../../functions/core/db/database.js";
import type { TaskDeps } from "../../functions/tasks/deps.js";

export const testQueues = {
  default: { url: "https://sqs.test/default", deadLetterUrl: "https://sqs.test/default-dlq" },
  reports: { url: "https://sqs.test/reports", deadLetterUrl: "https://sqs.test/reports-dlq" },
};

/** Task dependencies over a real database and a recorded SQS client; the clock is the test's. */
export function testTaskDeps(db: Database, now: () => Date = () => new Date()) {
  const sqs = new SQSClient({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const sqsMock = mockClient(sqs);
  sqsMock.on(SendMessageCommand).resolves({ MessageId: "m-1" });
  const deps: TaskDeps = { db, sqs, queues: testQueues, now };
  const sent = () =>
    sqsMock.commandCalls(SendMessageCommand).map((call) => ({
      queueUrl: call.args[0].input.QueueUrl,
      body: parseBody(call.args[0].input.MessageBody),
      delaySeconds: call.args[0].input.DelaySeconds,
    }));
  return { deps, sqsMock, sent };
}

function parseBody(body: string | undefined): unknown {
  try {
    return JSON.parse(body ?? "null");
  } catch {
    return body;
  }
}
