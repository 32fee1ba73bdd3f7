import { SQSClient } from "@aws-sdk/client-sqs";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { loadConfig } from "../functions/contracts/config/load.js";
import { queueOutputKeys } from "../functions/contracts/queue-outputs.js";
import { Database } from "../functions/core/db/database.js";
import { redriveDeadLetters } from "../functions/tasks/queues.js";
import { oneOf, parseCommandLine, runCommand, UsageError } from "./cli.js";
import { readLocalOutputs } from "./deploy.js";
import { awsLocalEnv, dataApiUrl, localDatabase, outputsFile } from "./env.js";

// The local stack is deployed with the local stage's configuration, so its queues are these.
const queueNames = Object.keys(loadConfig("local").queues);

const usage = `usage: npm run dlq:redrive -- <queue>
  puts the queue's dead letters back on the queue (failed tasks run again from attempt 1)
  queues: ${queueNames.join(", ")}`;

/** `npm run dlq:redrive -- <queue>`: the same redrive as POST /queues/{name}/redrive, against the local stack. */
async function main(): Promise<void> {
  const { positionals } = parseCommandLine({ usage, args: { options: {}, allowPositionals: true } });
  const queue = oneOf("queue", positionals[0], queueNames);
  if (positionals.length > 1) throw new UsageError(`one queue at a time, got ${positionals.join(" ")}`);
  const outputs = readLocalOutputs();
  const keys = queueOutputKeys(queue);
  const url = outputs[keys.url];
  const deadLetterUrl = outputs[keys.deadLetterUrl];
  if (!url || !deadLetterUrl) {
    throw new Error(
      `${outputsFile} has no ${keys.url}/${keys.deadLetterUrl}: redeploy the local stack (npm run local:up)`,
    );
  }
  const env = awsLocalEnv();
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  const db = new Database(new RDSDataClient({ endpoint: dataApiUrl, region: env.AWS_REGION, credentials }), {
    resourceArn: localDatabase.DB_CLUSTER_ARN,
    secretArn: localDatabase.DB_SECRET_ARN,
    database: localDatabase.DB_NAME,
  });
  const sqs = new SQSClient({ endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION, credentials });
  const result = await redriveDeadLetters(
    { db, sqs, now: () => new Date(), queues: { [queue]: { url, deadLetterUrl } } },
    queue,
  );
  console.log(
    `redrive of ${queue}: ${result.tasksRequeued} requeued, ${result.tasksAwaitingWakeUp} awaiting a wake-up, ${result.tasksWoken} woken; ` +
      `dead letters ${result.messagesDeleted} deleted, ${result.messagesKept} kept${result.more ? " (more: run again)" : ""}`,
  );
}

await runCommand(usage, main);
