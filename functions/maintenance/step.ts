import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Config } from "../contracts/config/schema.js";
import type { Database } from "../core/db/database.js";
import type { QueueAddresses } from "../tasks/deps.js";

/** What a step may touch. Each field is real in the deployed step function and faked or local in unit tests. */
export interface StepContext {
  db: Database;
  config: Config;
  now: Date;
  logger: Pick<Logger, "info" | "warn">;
  metrics?: Pick<Metrics, "addMetric">;
  sqs?: SQSClient;
  queues?: Record<string, QueueAddresses>;
  /** Deletes a media object; unset when no media store is bound. */
  deleteMediaObject?: (key: string) => Promise<void>;
}

/** One maintenance step (a module under steps/): it does its job and says what it did. */
export interface MaintenanceStep {
  name: string;
  description: string;
  run(context: StepContext): Promise<Record<string, unknown>>;
}

export interface StepOutcome {
  step: string;
  status: "ok" | "skipped";
  details: Record<string, unknown>;
}
