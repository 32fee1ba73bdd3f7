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
const claimable = (t = "") =>
  `(${t}status IN ('queued', 'retrying') OR (${t}status = 'running' AND ${t}lease_expires_at < now()))`;
const CLAIMABLE = claimable();
const START_ATTEMPT = `status = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, now()),
            lease_expires_at = now() + make_interval(secs => :lease), updated_at = now()`;

/**
 * Takes a task for one attempt: only a queued or retrying task, or a running one whose lease ran
 * out (its worker died), can be claimed. A duplicate delivery of a message whose task runs,
 * finished or was cancelled gets the task's state back instead.
 */
export async function claimTask(
  db: Database,
  id: string,
  leaseSeconds: number,
  options: ClaimOptions = {},
): Promise<ClaimResult> {
  if (options.oneAtATime) return claimWithSlot(db, id, leaseSeconds);
  return (await claimTasks(db, [id], leaseSeconds)).get(id.toLowerCase()) ?? { claimed: false, status: "missing" };
}

/**
 * Claims the tasks of a whole SQS batch at once (Celery's prefetch: taken together, then run in
 * order), keyed by lower-case id. Each id is claimed as `claimTask` would; an id given twice is
 * claimed once.
 *
 * The claim is one statement, so a batch whose tasks all run first time costs one round trip. Its
 * rows are locked in id order before they are changed: two workers claiming overlapping batches
 * then queue behind each other row by row instead of each holding a row the other waits for (a
 * deadlock). A row a concurrent claim changed meanwhile is tested again as that claim left it,
 * so each attempt goes to one worker only.
 *
 * Only when some ids did not come back is the batch read again, in a second statement: under READ
 * COMMITTED every part of one statement shares the snapshot taken when it began, so a read beside
 * the UPDATE would still see a task as `queued` when a concurrent claim had just won (the UPDATE
 * itself waits for that winner and re-checks the row, but a plain SELECT does not). A fresh
 * statement sees the winner's `running`, and the duplicate is retried later rather than deleted.
 */
export async function claimTasks(
  db: Database,
  ids: readonly string[],
  leaseSeconds: number,
): Promise<Map<string, ClaimResult>> {
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
  const results = new Map<string, ClaimResult>();
  if (wanted.length === 0) return results;
  const claimed = await db.rows<{ id: string; payload: unknown; attempts: number; max_attempts: number }>(
    `WITH candidates AS (
       SELECT id FROM tasks
        WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text(:ids)) AND ${CLAIMABLE}
        ORDER BY id
          FOR UPDATE
     )
     UPDATE tasks SET ${START_ATTEMPT}
       FROM candidates c
      WHERE tasks.id = c.id AND ${claimable("tasks.")}
     RETURNING tasks.id, tasks.payload, tasks.attempts, tasks.max_attempts`,
    { ids: json(wanted), lease: leaseSeconds },
  );
  for (const row of claimed) {
    results.set(row.id, { claimed: true, payload: row.payload, attempt: row.attempts, maxAttempts: row.max_attempts });
  }
  const lost = wanted.filter((id) => !results.has(id));
  if (lost.length === 0) return results;
  const current = await db.rows<{ id: string; status: TaskStatus; lease: string | null }>(
    `SELECT id, status, lease_expires_at AS lease FROM tasks WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text(:ids))`,
    { ids: json(lost) },
  );
  for (const row of current) results.set(row.id, { claimed: false, status: row.status, leaseExpiresAt: row.lease });
  for (const id of lost) if (!results.has(id)) results.set(id, { claimed: false, status: "missing" });
  return results;
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
  if (claimed)
    return { claimed: true, payload: claimed.payload, attempt: claimed.attempts, maxAttempts: claimed.max_attempts };
  // A fresh statement, as above: a task that can still be claimed lost only because the slot was taken.
  const current = await db.first<{
    status: TaskStatus;
    lease: string | null;
    claimable: boolean;
    slot_lease: string | null;
  }>(
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
 * How an attempt ended, for `recordOutcomes`. Besides the outcomes a message can carry, an attempt
 * can be `returned`: claimed with its batch but never started, because the Lambda's time ran short.
 * Like a released attempt it goes back to `retrying` without counting (the budget grows by one;
 * attempts are never renumbered, so a late write still names its own attempt).
 */
export type AttemptEnd = PendingOutcome | { attempt: number; status: "returned"; retryInSeconds: number };

/**
 * Records how the attempts of a batch ended, in one statement; returns the (lower-case) ids whose
 * outcome was recorded. Every row names the attempt it ends: a late worker whose lease was taken
 * over changes nothing (its id is missing from the answer). In the same statement the queue's slot
 * is given back where an ended attempt holds it (one-at-a-time queues), so the next task of the
 * queue can start at once.
 *
 * - succeeded: the result is kept, progress 100, the error cleared.
 * - retrying: the error is kept; the next attempt's message arrives after `retryInSeconds` (the
 *   backoff), and the reconciler counts from then (`wake_due_at`).
 * - failed: the end of the road; the error is kept and the message goes to the dead-letter queue.
 * - released: the task's own code met a database outage; back to retrying, not counted.
 * - returned: see AttemptEnd.
 */
export async function recordOutcomes(
  db: Database,
  outcomes: readonly ({ id: string } & AttemptEnd)[],
): Promise<Set<string>> {
  if (outcomes.length === 0) return new Set();
  const input = outcomes.map((o) => ({
    id: o.id.toLowerCase(),
    attempt: o.attempt,
    status: o.status,
    result: o.status === "succeeded" ? { value: o.result ?? null } : null,
    error: "error" in o ? o.error : null,
    retry_in: "retryInSeconds" in o ? o.retryInSeconds : null,
  }));
  const rows = await db.rows<{ id: string }>(
    `WITH outcome AS (
       SELECT * FROM jsonb_to_recordset(:outcomes) AS o(id uuid, attempt int, status text, result jsonb, error text, retry_in float8)
     ), ended AS (
       UPDATE tasks t SET
              status = CASE WHEN o.status IN ('released', 'returned') THEN 'retrying' ELSE o.status END,
              result = CASE WHEN o.status = 'succeeded' THEN o.result -> 'value' ELSE t.result END,
              progress = CASE WHEN o.status = 'succeeded' THEN 100 ELSE t.progress END,
              error = CASE o.status WHEN 'succeeded' THEN NULL
                                    WHEN 'released' THEN 'database unavailable during the run (not counted)'
                                    WHEN 'returned' THEN t.error
                                    ELSE o.error END,
              max_attempts = CASE WHEN o.status IN ('released', 'returned') THEN t.max_attempts + 1 ELSE t.max_attempts END,
              finished_at = CASE WHEN o.status IN ('succeeded', 'failed') THEN now() ELSE t.finished_at END,
              dead_lettered_at = CASE WHEN o.status = 'failed' THEN now() ELSE t.dead_lettered_at END,
              wake_due_at = CASE WHEN o.status IN ('retrying', 'released', 'returned') THEN now() + make_interval(secs => o.retry_in)
                                 ELSE t.wake_due_at END,
              lease_expires_at = NULL, updated_at = now()
         FROM outcome o
        WHERE t.id = o.id AND t.status = 'running' AND t.attempts = o.attempt
       RETURNING t.id, t.attempts
     ), freed AS (
       UPDATE queue_slots SET holder = NULL, holder_attempt = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE (holder, holder_attempt) IN (SELECT id, attempts FROM ended)
     )
     SELECT id FROM ended`,
    { outcomes: json(input) },
  );
  return new Set(rows.map((row) => row.id));
}

/** Records how one attempt ended; false when the attempt is no longer the task's current one. */
export async function recordOutcome(db: Database, id: string, outcome: AttemptEnd): Promise<boolean> {
  return (await recordOutcomes(db, [{ id, ...outcome }])).has(id.toLowerCase());
}

export async function recordProgress(
  db: Database,
  id: string,
  attempt: number,
  percent: number,
  note?: string,
): Promise<void> {
  await db.query(
    `UPDATE tasks SET progress = :percent, progress_note = :note, updated_at = now()
      WHERE id = :id AND status = 'running' AND attempts = :attempt`,
    { id: uuid(id), attempt, percent: Math.max(0, Math.min(100, Math.round(percent))), note: note ?? null },
  );
}
