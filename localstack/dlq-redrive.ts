import { SQSClient } from "@aws-sdk/client-sqs";
import { readFileSync } from "node:fs";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { Database } from "../functions/core/db/database.js";
import { redriveDeadLetters } from "../functions/tasks/queues.js";
import { awsLocalEnv, dataApiUrl, localDatabase, outputsFile } from "./env.js";

/** `npm run dlq:redrive -- <queue>`: the same redrive as POST /queues/{name}/redrive, against the local stack. */
const queue = process.argv[2];
const outputs = JSON.parse(readFileSync(outputsFile, "utf8")) as Record<string, string>;
const key = (queue ?? "").replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
if (!queue || !outputs[`Queue${key}Url`]) {
  const known = Object.keys(outputs).filter((k) => /^Queue.*Url$/.test(k) && !k.includes("DeadLetter"));
  console.error(`usage: npm run dlq:redrive -- <queue>   (queues in ${outputsFile}: ${known.join(", ")})`);
  process.exit(2);
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
  {
    db,
    sqs,
    now: () => new Date(),
    queues: {
      [queue]: {
        url: outputs[`Queue${key}Url`] as string,
        deadLetterUrl: outputs[`Queue${key}DeadLetterUrl`] as string,
      },
    },
  },
  queue,
);
console.log(
  `redrive of ${queue}: ${result.tasksRequeued} requeued, ${result.tasksAwaitingWakeUp} awaiting a wake-up, ${result.tasksWoken} woken; ` +
    `dead letters ${result.messagesDeleted} deleted, ${result.messagesKept} kept${result.more ? " (more: run again)" : ""}`,
);
