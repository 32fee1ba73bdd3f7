import type { TaskStatus } from "./definition.js";

/** A task as the API shows it. */
export interface TaskRecord {
  id: string;
  name: string;
  queue: string;
  status: TaskStatus;
  attempts: number;
  maxAttempts: number;
  progress: number | null;
  progressNote: string | null;
  payload: unknown;
  result: unknown;
  error: string | null;
  createdBy: string | null;
  runAt: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  deadLetteredAt: string | null;
}

export const taskColumns = `id, name, queue, status, attempts, max_attempts AS "maxAttempts", progress, progress_note AS "progressNote",
  payload, result, error, created_by AS "createdBy", run_at AS "runAt", created_at AS "createdAt", updated_at AS "updatedAt",
  started_at AS "startedAt", finished_at AS "finishedAt", dead_lettered_at AS "deadLetteredAt"`;

/**
 * What travels through SQS: a wake-up naming the task; the payload is read back with the claim.
 * The row decides what happens; a message only says "look at this task now".
 */
export interface TaskMessage {
  taskId: string;
  name: string;
  /** How often this wake-up was put off while the database was away: the delay grows with it. */
  deferrals?: number;
  /**
   * An outcome the worker could not write before its time ran out (the database was away): the
   * next delivery records it instead of running the task again.
   */
  outcome?: PendingOutcome;
}

/** An attempt's end, as lifecycle.ts records it; `attempt` keeps a late write from touching a newer attempt. */
export type PendingOutcome =
  | { attempt: number; status: "succeeded"; result: unknown }
  | { attempt: number; status: "retrying"; error: string; retryInSeconds: number }
  | { attempt: number; status: "failed"; error: string }
  /** The task's own code met a database outage: back to retrying, not counted (lifecycle.recordOutcomes, outcome "released"). */
  | { attempt: number; status: "released"; retryInSeconds: number };
