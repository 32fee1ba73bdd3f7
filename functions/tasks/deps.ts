import { SQSClient } from "@aws-sdk/client-sqs";
import { queueVariables, readVariables, type QueueAddresses } from "../contracts/environment.js";
import { database, type Database } from "../core/db/database.js";
import type { TaskServices } from "./definition.js";

export type { QueueAddresses };

/** What task code needs from the outside world; tests pass their own. */
export interface TaskDeps {
  db: Database;
  sqs: SQSClient;
  queues: Record<string, QueueAddresses>;
  now: () => Date;
  /** What tasks may ask for besides the database; set by the worker, which runs tasks. */
  services?: TaskServices;
}

let shared: TaskDeps | undefined;

/** The deployed function's dependencies: the queue addresses come from WorkerQueues' bind helpers in CDK. */
export function taskDepsFromEnv(env: NodeJS.ProcessEnv = process.env): TaskDeps {
  if (shared) return shared;
  const { GROUNDCREW_QUEUES: queues } = readVariables(queueVariables, env);
  shared = { db: database(env), sqs: new SQSClient({}), queues, now: () => new Date() };
  return shared;
}

export function queueOf(deps: TaskDeps, queue: string): QueueAddresses {
  // Own properties only: a name such as "__proto__" or "toString" is no queue.
  const addresses = Object.hasOwn(deps.queues, queue) ? deps.queues[queue] : undefined;
  if (!addresses) throw new Error(`Queue "${queue}" is not configured (known: ${Object.keys(deps.queues).join(", ")})`);
  return addresses;
}

/** For functions that enqueue but never run tasks: asking a service of it is a wiring error. */
export const noTaskServices: TaskServices = {
  media: () => {
    throw new Error("This function runs no tasks: the worker provides task services (tasks/services.ts)");
  },
  mailer: () => {
    throw new Error("This function runs no tasks: the worker provides task services (tasks/services.ts)");
  },
};
