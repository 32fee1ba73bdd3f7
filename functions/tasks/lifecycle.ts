import { json, uuid } from "../core/db/parameters.js";
import type { Database } from "../core/db/database.js";
import type { TaskStatus } from "./definition.js";
import type { PendingOutcome } from "./task-record.js";

export type ClaimResult =
  | { claimed: true; payload: unknown; attempt: number; maxAttempts: number }
  | { claimed: false; status: TaskStatus; leaseExpiresAt: string | null }
  | { claimed: false; status: "missing" };

/**
 * Takes a task for one attempt: only a queued or retrying task, or a running one whose lease ran
 * out (its worker died), can be claimed. A duplicate delivery of a message whose task runs,
 * finished or was cancelled gets the task's state back instead.
 *
 * The claim is one statement, so a task that runs first time costs one round trip here. Only a
 * delivery that loses reads the task again, in a second statement: under READ COMMITTED every
 * part of one statement shares the snapshot taken when it began, so a read beside the UPDATE
 * would still see the task as `queued` when a concurrent claim had just won (the UPDATE itself
 * waits for that winner and re-checks the row, but a plain SELECT does not). A fresh statement
 * sees the winner's `running`, and the duplicate is retried later rather than deleted.
 */
export async function claimTask(db: Database, id: string, leaseSeconds: number): Promise<ClaimResult> {
  const claimed = await db.first<{ payload: unknown; attempts: number; max_attempts: number }>(
    `UPDATE tasks
        SET status = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, now()),
            lease_expires_at = now() + make_interval(secs => :lease), updated_at = now()
      WHERE id = :id
        AND (status IN ('queued', 'retrying') OR (status = 'running' AND lease_expires_at < now()))
     RETURNING payload, attempts, max_attempts`,
    { id: uuid(id), lease: leaseSeconds },
  );
  if (claimed) return { claimed: true, payload: claimed.payload, attempt: claimed.attempts, maxAttempts: claimed.max_attempts };
  const current = await db.first<{ status: TaskStatus; lease: string | null }>(
    `SELECT status, lease_expires_at AS lease FROM tasks WHERE id = :id`,
    { id: uuid(id) },
  );
  if (!current) return { claimed: false, status: "missing" };
  return { claimed: false, status: current.status, leaseExpiresAt: current.lease };
}

// Every transition below names the attempt it ends: a late worker whose lease was taken over
// cannot overwrite what the newer attempt recorded.

export async function completeTask(db: Database, id: string, attempt: number, result: unknown): Promise<boolean> {
  const { updated } = await db.query(
    `UPDATE tasks SET status = 'succeeded', result = :result, progress = 100, error = NULL,
            finished_at = now(), lease_expires_at = NULL, updated_at = now()
      WHERE id = :id AND status = 'running' AND attempts = :attempt`,
    { id: uuid(id), attempt, result: json(result ?? null) },
  );
  return updated === 1;
}

/** The next attempt's message arrives after `retryInSeconds` (the backoff); the reconciler counts from then. */
export async function retryTask(db: Database, id: string, attempt: number, error: string, retryInSeconds: number): Promise<boolean> {
  const { updated } = await db.query(
    `UPDATE tasks SET status = 'retrying', error = :error, lease_expires_at = NULL, updated_at = now(),
            wake_due_at = now() + make_interval(secs => :retryIn)
      WHERE id = :id AND status = 'running' AND attempts = :attempt`,
    { id: uuid(id), attempt, error, retryIn: retryInSeconds },
  );
  return updated === 1;
}

/** The end of the road: the error is kept, and the message goes to the dead-letter queue. */
export async function failTask(db: Database, id: string, attempt: number, error: string): Promise<boolean> {
  const { updated } = await db.query(
    `UPDATE tasks SET status = 'failed', error = :error, finished_at = now(), lease_expires_at = NULL,
            dead_lettered_at = now(), updated_at = now()
      WHERE id = :id AND status = 'running' AND attempts = :attempt`,
    { id: uuid(id), attempt, error },
  );
  return updated === 1;
}

/**
 * The attempt met a database outage inside the task's own code: it goes back to `retrying` and
 * does not count against the task's budget. Attempts are never renumbered (a late write names its
 * attempt); the budget grows by one instead.
 */
export async function releaseTask(db: Database, id: string, attempt: number, retryInSeconds: number): Promise<boolean> {
  const { updated } = await db.query(
    `UPDATE tasks SET status = 'retrying', max_attempts = max_attempts + 1, error = 'database unavailable during the run (not counted)',
            lease_expires_at = NULL, updated_at = now(), wake_due_at = now() + make_interval(secs => :retryIn)
      WHERE id = :id AND status = 'running' AND attempts = :attempt`,
    { id: uuid(id), attempt, retryIn: retryInSeconds },
  );
  return updated === 1;
}

/** Records how an attempt ended; false when the attempt is no longer the task's current one. */
export async function recordOutcome(db: Database, id: string, outcome: PendingOutcome): Promise<boolean> {
  switch (outcome.status) {
    case "succeeded":
      return completeTask(db, id, outcome.attempt, outcome.result);
    case "retrying":
      return retryTask(db, id, outcome.attempt, outcome.error, outcome.retryInSeconds);
    case "failed":
      return failTask(db, id, outcome.attempt, outcome.error);
    case "released":
      return releaseTask(db, id, outcome.attempt, outcome.retryInSeconds);
  }
}

export async function recordProgress(db: Database, id: string, attempt: number, percent: number, note?: string): Promise<void> {
  await db.query(
    `UPDATE tasks SET progress = :percent, progress_note = :note, updated_at = now()
      WHERE id = :id AND status = 'running' AND attempts = :attempt`,
    { id: uuid(id), attempt, percent: Math.max(0, Math.min(100, Math.round(percent))), note: note ?? null },
  );
}
