import { json, uuid } from "../core/db/parameters.js";
import type { Database } from "../core/db/database.js";
import type { TaskStatus } from "./definition.js";
import type { PendingOutcome } from "./task-record.js";

export type ClaimResult =
  | { claimed: true; payload: unknown; attempt: number; maxAttempts: number }
  | { claimed: false; status: TaskStatus; leaseExpiresAt: string | null }
  /** The task could run, but another task of its one-at-a-time queue holds the queue's slot. */
  | { claimed: false; status: "queue busy"; slotLeaseExpiresAt: string | null }
  | { claimed: false; status: "missing" };

export interface ClaimOptions {
  /**
   * The queue's cap is 1 (Celery's `--concurrency 1`): claim the task only together with the
   * queue's slot (table `queue_slots`), so no two tasks of the queue ever run at once.
   */
  oneAtATime?: boolean;
}

/** Queued or retrying, or running under a lease that ran out (its worker died). `t`: a table alias with its dot. */
const claimable = (t = "") => `(${t}status IN ('queued', 'retrying') OR (${t}status = 'running' AND ${t}lease_expires_at < now()))`;
const CLAIMABLE = claimable();
const START_ATTEMPT = `status = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, now()),
            lease_expires_at = now() + make_interval(secs => :lease), updated_at = now()`;

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
export async function claimTask(db: Database, id: string, leaseSeconds: number, options: ClaimOptions = {}): Promise<ClaimResult> {
  if (options.oneAtATime) return claimWithSlot(db, id, leaseSeconds);
  const claimed = await db.first<{ payload: unknown; attempts: number; max_attempts: number }>(
    `UPDATE tasks SET ${START_ATTEMPT}
      WHERE id = :id AND ${CLAIMABLE}
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

/**
 * The claim of a one-at-a-time queue: the task and its queue's slot, both or neither, in one
 * statement.
 *
 * Why a slot row and not "claim only if nothing of this queue is running": under READ COMMITTED
 * two such claims each read their own snapshot, both see nothing running, and both win. Here every
 * claim of the queue upserts the same `queue_slots` row. PostgreSQL lets one writer at a time at
 * that row; the second waits, then tests the row as the first left it (ON CONFLICT … DO UPDATE …
 * WHERE sees the latest version, not the snapshot) and finds a live holder. The test reads only
 * the slot row itself, never another table, so no stale snapshot can take part in the decision.
 *
 * - `candidate`: the task, if it can be claimed. Nothing to claim → the slot is left alone.
 * - `slot`: taken when free, when its lease ran out (its worker died), or when it is already this
 *   task's (a duplicate delivery racing the winner; the task UPDATE below then picks one of them).
 *   Its lease is the attempt's lease, never shortened by such a duplicate.
 * - the UPDATE claims the task only if the slot came back.
 * Every transition out of `running` (below) frees the slot in the same statement, so the next
 * task can start as soon as this one ends, not only when its lease runs out.
 */
async function claimWithSlot(db: Database, id: string, leaseSeconds: number): Promise<ClaimResult> {
  const claimed = await db.first<{ payload: unknown; attempts: number; max_attempts: number }>(
    `WITH candidate AS (
       SELECT id, queue, attempts FROM tasks WHERE id = :id AND ${CLAIMABLE}
     ), slot AS (
       INSERT INTO queue_slots AS s (queue, holder, holder_attempt, lease_expires_at, updated_at)
       SELECT queue, id, attempts + 1, now() + make_interval(secs => :lease), now() FROM candidate
       ON CONFLICT (queue) DO UPDATE
          SET holder = EXCLUDED.holder, holder_attempt = EXCLUDED.holder_attempt, updated_at = now(),
              lease_expires_at = CASE WHEN s.holder = EXCLUDED.holder AND s.holder_attempt = EXCLUDED.holder_attempt
                                      THEN GREATEST(s.lease_expires_at, EXCLUDED.lease_expires_at)
                                      ELSE EXCLUDED.lease_expires_at END
        WHERE s.holder IS NULL OR s.lease_expires_at < now() OR s.holder = EXCLUDED.holder
       RETURNING holder
     )
     UPDATE tasks SET ${START_ATTEMPT}
      WHERE id = :id AND id IN (SELECT holder FROM slot) AND ${CLAIMABLE}
     RETURNING payload, attempts, max_attempts`,
    { id: uuid(id), lease: leaseSeconds },
  );
  if (claimed) return { claimed: true, payload: claimed.payload, attempt: claimed.attempts, maxAttempts: claimed.max_attempts };
  // A fresh statement, as above: a task that can still be claimed lost only because the slot was taken.
  const current = await db.first<{ status: TaskStatus; lease: string | null; claimable: boolean; slot_lease: string | null }>(
    `SELECT t.status, t.lease_expires_at AS lease, ${claimable("t.")} AS claimable,
            s.lease_expires_at AS slot_lease
       FROM tasks t LEFT JOIN queue_slots s ON s.queue = t.queue
      WHERE t.id = :id`,
    { id: uuid(id) },
  );
  if (!current) return { claimed: false, status: "missing" };
  if (current.claimable) return { claimed: false, status: "queue busy", slotLeaseExpiresAt: current.slot_lease };
  return { claimed: false, status: current.status, leaseExpiresAt: current.lease };
}

/**
 * Ends an attempt: `update` is an UPDATE of one task that names the attempt it ends. In the same
 * statement the queue's slot is given back if this attempt holds it (one-at-a-time queues); a late
 * worker whose attempt was taken over changes neither the task nor the slot.
 */
async function endAttempt(db: Database, update: string, params: Parameters<Database["query"]>[1]): Promise<boolean> {
  const row = await db.first<{ ended: number }>(
    `WITH ended AS (${update} RETURNING id, attempts),
          freed AS (
            UPDATE queue_slots SET holder = NULL, holder_attempt = NULL, lease_expires_at = NULL, updated_at = now()
             WHERE (holder, holder_attempt) IN (SELECT id, attempts FROM ended)
          )
     SELECT count(*)::int AS ended FROM ended`,
    params,
  );
  return row?.ended === 1;
}

// Every transition below names the attempt it ends: a late worker whose lease was taken over
// cannot overwrite what the newer attempt recorded.

export async function completeTask(db: Database, id: string, attempt: number, result: unknown): Promise<boolean> {
  return endAttempt(
    db,
    `UPDATE tasks SET status = 'succeeded', result = :result, progress = 100, error = NULL,
            finished_at = now(), lease_expires_at = NULL, updated_at = now()
      WHERE id = :id AND status = 'running' AND attempts = :attempt`,
    { id: uuid(id), attempt, result: json(result ?? null) },
  );
}

/** The next attempt's message arrives after `retryInSeconds` (the backoff); the reconciler counts from then. */
export async function retryTask(db: Database, id: string, attempt: number, error: string, retryInSeconds: number): Promise<boolean> {
  return endAttempt(
    db,
    `UPDATE tasks SET status = 'retrying', error = :error, lease_expires_at = NULL, updated_at = now(),
            wake_due_at = now() + make_interval(secs => :retryIn)
      WHERE id = :id AND status = 'running' AND attempts = :attempt`,
    { id: uuid(id), attempt, error, retryIn: retryInSeconds },
  );
}

/** The end of the road: the error is kept, and the message goes to the dead-letter queue. */
export async function failTask(db: Database, id: string, attempt: number, error: string): Promise<boolean> {
  return endAttempt(
    db,
    `UPDATE tasks SET status = 'failed', error = :error, finished_at = now(), lease_expires_at = NULL,
            dead_lettered_at = now(), updated_at = now()
      WHERE id = :id AND status = 'running' AND attempts = :attempt`,
    { id: uuid(id), attempt, error },
  );
}

/**
 * The attempt met a database outage inside the task's own code: it goes back to `retrying` and
 * does not count against the task's budget. Attempts are never renumbered (a late write names its
 * attempt); the budget grows by one instead.
 */
export async function releaseTask(db: Database, id: string, attempt: number, retryInSeconds: number): Promise<boolean> {
  return endAttempt(
    db,
    `UPDATE tasks SET status = 'retrying', max_attempts = max_attempts + 1, error = 'database unavailable during the run (not counted)',
            lease_expires_at = NULL, updated_at = now(), wake_due_at = now() + make_interval(secs => :retryIn)
      WHERE id = :id AND status = 'running' AND attempts = :attempt`,
    { id: uuid(id), attempt, retryIn: retryInSeconds },
  );
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
