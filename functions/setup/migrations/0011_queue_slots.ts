import type { Migration } from "../migration.js";

/**
 * One row per queue whose cap is 1 (Celery's `--concurrency 1`): which task attempt holds the
 * queue's only slot, and until when. The worker claims a task of such a queue only together with
 * this row, in one statement (tasks/lifecycle.ts `claimTask`), and every transition out of
 * `running` gives the slot back. The lease bounds a slot whose worker died, like a task's lease.
 *
 * A row of its own rather than a check on `tasks`: two claims that each read "nothing of this queue
 * is running" under READ COMMITTED can both be right about their snapshot and both win. Two
 * `INSERT … ON CONFLICT (queue) DO UPDATE … WHERE` on one key cannot: the second waits for the
 * first and re-tests the row as the first left it.
 */
export const migration: Migration = {
  id: "0011_queue_slots",
  statements: [
    `CREATE TABLE queue_slots (
       queue text PRIMARY KEY,
       holder uuid,
       holder_attempt int,
       lease_expires_at timestamptz,
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
  ],
};
