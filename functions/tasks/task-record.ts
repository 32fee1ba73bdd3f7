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

/** What travels through SQS: only the id; the payload is read back with the claim. */
export interface TaskMessage {
  taskId: string;
  name: string;
}
