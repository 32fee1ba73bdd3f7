import { json } from "../core/db/parameters.js";
import type { Database } from "../core/db/database.js";
import type { TaskStatus } from "./definition.js";

export type ClaimResult =
  | { claimed: true; payload: unknown; attempt: number; maxAttempts: number }
  | { claimed: false; status: TaskStatus; leaseExpiresAt: string | null }
  | { claimed: false; status: "missing" };

/**
 * Takes a task for one attempt, in one statement: only a queued or retrying task, or a running one
 * whose lease ran out (its worker died), can be claimed. A duplicate delivery of a message whose
 * task runs, finished or was cancelled gets the task's state back instead.
 */
export async function claimTask(db: Database, id: string, leaseSeconds: number): Promise<ClaimResult> {
  const row = await db.first<{ claimed: boolean; payload: unknown; attempts: number; max_attempts: number; status: TaskStatus; lease: string | null }>(
    `WITH claimed AS (
       UPDATE tasks
          SET status = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, now()),
              lease_expires_at = now() + make_interval(secs => :lease), updated_at = now()
        WHERE id = :id
          AND (status IN ('queued', 'retrying') OR (status = 'running' AND lease_expires_at < now()))
       RETURNING payload, attempts, max_attempts)
     SELECT true AS claimed, payload, attempts, max_attempts, 'running' AS status, NULL::timestamptz AS lease FROM claimed
     UNION ALL
     SELECT false, NULL, attempts, max_attempts, status, lease_expires_at FROM tasks
      WHERE id = :id AND NOT EXISTS (SELECT 1 FROM claimed)`,
    { id, lease: leaseSeconds },
  );
  if (!row) return { claimed: false, status: "missing" };
  if (row.claimed) return { claimed: true, payload: row.payload, attempt: row.attempts, maxAttempts: row.max_attempts };
  return { claimed: false, status: row.status, leaseExpiresAt: row.lease };
}

// Every transition below names the attempt it ends: a late worker whose lease was taken over
// cannot overwrite what the newer attempt recorded.

export async function completeTask(db: Database, id: string, attempt: number, result: unknown): Promise<boolean> {
  const { updated } = await db.query(
    `UPDATE tasks SET status = 'succeeded', result = :result, progress = 100, error = NULL,
            finished_at = now(), lease_expires_at = NULL, updated_at = now()
      WHERE id = :id AND status = 'running' AND attempts = :attempt`,
    { id, attempt, result: json(result ?? null) },
  );
  return updated === 1;
}

export async function retryTask(db: Database, id: string, attempt: number, error: string): Promise<boolean> {
  const { updated } = await db.query(
    `UPDATE tasks SET status = 'retrying', error = :error, lease_expires_at = NULL, updated_at = now()
      WHERE id = :id AND status = 'running' AND attempts = :attempt`,
    { id, attempt, error },
  );
  return updated === 1;
}

/** The end of the road: the error is kept, and the message goes to the dead-letter queue. */
export async function failTask(db: Database, id: string, attempt: number, error: string): Promise<boolean> {
  const { updated } = await db.query(
    `UPDATE tasks SET status = 'failed', error = :error, finished_at = now(), lease_expires_at = NULL,
            dead_lettered_at = now(), updated_at = now()
      WHERE id = :id AND status = 'running' AND attempts = :attempt`,
    { id, attempt, error },
  );
  return updated === 1;
}

export async function recordProgress(db: Database, id: string, attempt: number, percent: number, note?: string): Promise<void> {
  await db.query(
    `UPDATE tasks SET progress = :percent, progress_note = :note, updated_at = now()
      WHERE id = :id AND status = 'running' AND attempts = :attempt`,
    { id, attempt, percent: Math.max(0, Math.min(100, Math.round(percent))), note: note ?? null },
  );
}
