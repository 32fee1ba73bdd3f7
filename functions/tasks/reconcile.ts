import { json } from "../core/db/parameters.js";
import type { TaskDeps } from "./deps.js";
import { sendWakeUps } from "./messages.js";

export interface ReconcileOptions {
  /** The beat's clock. @default deps.now() */
  now?: Date;
  /** Wake-ups sent per call at most, oldest overdue first, so one tick stays short. */
  limit: number;
  /**
   * Per queue, how long after a task's wake-up was due its message counts as lost: see
   * `staleAfterByQueue`. Queues not named use DEFAULT_STALE_AFTER_SECONDS.
   */
  staleAfterSeconds: Readonly<Record<string, number>>;
}

export interface ReconcileReport {
  /** Tasks sent a fresh wake-up. */
  woken: number;
  /** Overdue tasks SQS refused a wake-up: tried again after another stale period. */
  unsent: number;
  /** Running tasks whose lease ended, seen for the first time: woken a stale period later if still running. */
  noted: number;
}

/** For a queue the reconciler was not told about: longer than any configured visibility timeout. */
export const DEFAULT_STALE_AFTER_SECONDS = 3_600;

/**
 * Twice the queue's visibility timeout. A message that is due reaches a worker within seconds,
 * and a received one is either claimed (the row says `running`) or back on the queue within one
 * visibility timeout; a task still waiting twice that long after its wake-up was due has lost
 * its message. (AWS's 6× rule already makes the visibility timeout six worker timeouts.)
 */
export function staleAfterByQueue(
  queues: Readonly<Record<string, { visibilityTimeoutSeconds: number }>>,
  factor = 2,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(queues).map(([name, queue]) => [name, queue.visibilityTimeoutSeconds * factor]),
  );
}

/**
 * The beat's safety net: SQS only carries wake-ups, the task row decides. A task that is `queued`
 * or `retrying` (or `running` with a lease that ended long ago: its worker died and SQS gave up on
 * the message) whose wake-up is long overdue gets a fresh message. This covers messages lost to
 * a purged or expired DLQ, to SQS giving up during a database outage, or to an emulator restart.
 *
 * A `running` task whose lease ended is woken only at the second look, one stale period after the
 * first. Its worker may have run it and, the database being away, sent the outcome on in a
 * message that is still being deferred (worker/process-message.ts): after an outage longer than
 * the stale period, the first beat after the database returns would otherwise wake the task before
 * that message lands, and the claim would run it a second time. The first look moves `wake_due_at`
 * past the lease, which is how the second look knows it has seen the task before.
 *
 * One UPDATE picks the rows and moves their `wake_due_at` to now, so overlapping ticks never pick
 * the same row and the next tick does not send it again; the task is woken again only after
 * another stale period. A spare wake-up is harmless: the worker's claim runs a task once.
 */
export async function reconcileTasks(deps: TaskDeps, options: ReconcileOptions): Promise<ReconcileReport> {
  const now = options.now ?? deps.now();
  const overdue = await deps.db.rows<{ id: string; name: string; queue: string; firstNotice: boolean }>(
    `UPDATE tasks SET wake_due_at = :now
       FROM (SELECT t.id, (t.status = 'running' AND t.wake_due_at <= t.lease_expires_at) AS first_notice
               FROM tasks t
               LEFT JOIN jsonb_each_text(:staleAfter) s(queue, seconds) ON s.queue = t.queue
              WHERE t.status IN ('queued', 'retrying', 'running')
                AND GREATEST(t.wake_due_at, t.lease_expires_at)
                    < :now - make_interval(secs => COALESCE(s.seconds::float8, :defaultStale))
                AND (t.run_at IS NULL OR t.run_at <= :now)
              ORDER BY t.wake_due_at
              LIMIT :limit
              FOR UPDATE OF t SKIP LOCKED) picked
      WHERE tasks.id = picked.id AND tasks.status IN ('queued', 'retrying', 'running')
     RETURNING tasks.id, tasks.name, tasks.queue, picked.first_notice AS "firstNotice"`,
    {
      now,
      staleAfter: json(options.staleAfterSeconds),
      defaultStale: DEFAULT_STALE_AFTER_SECONDS,
      limit: options.limit,
    },
  );
  // A running task seen for the first time is only noted (its wake_due_at moved to now, past its
  // lease): it is woken one stale period later if it still says `running`.
  const due = overdue.filter((row) => !row.firstNotice);
  const byQueue = new Map<string, { id: string; name: string }[]>();
  for (const row of due) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);
  // Every queue's wake-ups at once, each ten per SendMessageBatch with several batches in flight.
  const sent = await Promise.all(
    // A queue no longer configured cannot be woken here; its tasks are counted as unsent.
    [...byQueue].map(([queue, tasks]) =>
      Object.hasOwn(deps.queues, queue) ? sendWakeUps(deps, queue, tasks) : Promise.resolve(new Set<string>()),
    ),
  );
  const woken = sent.reduce((n, ids) => n + ids.size, 0);
  return { woken, unsent: due.length - woken, noted: overdue.length - due.length };
}
