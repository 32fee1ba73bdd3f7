import { SQSClient } from "@aws-sdk/client-sqs";
import { database, type Database } from "../core/db/database.js";

export interface QueueAddresses {
  url: string;
  deadLetterUrl: string;
}

/** What task code needs from the outside world; tests pass their own. */
export interface TaskDeps {
  db: Database;
  sqs: SQSClient;
  queues: Record<string, QueueAddresses>;
  now: () => Date;
}

let shared: TaskDeps | undefined;

/** The deployed function's dependencies: GROUNDCREW_QUEUES is set by WorkerQueue.bindProducer in CDK. */
export function taskDepsFromEnv(env: NodeJS.ProcessEnv = process.env): TaskDeps {
  if (shared) return shared;
  const raw = env.GROUNDCREW_QUEUES;
  if (!raw) throw new Error("GROUNDCREW_QUEUES is not set: bind the function as a producer of the worker queues in CDK");
  shared = { db: database(env), sqs: new SQSClient({}), queues: JSON.parse(raw) as Record<string, QueueAddresses>, now: () => new Date() };
  return shared;
}

export function queueOf(deps: TaskDeps, queue: string): QueueAddresses {
  // Own properties only: a name such as "__proto__" or "toString" is no queue.
  const addresses = Object.hasOwn(deps.queues, queue) ? deps.queues[queue] : undefined;
  if (!addresses) throw new Error(`Queue "${queue}" is not configured (known: ${Object.keys(deps.queues).join(", ")})`);
  return addresses;
}
