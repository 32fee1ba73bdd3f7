import type { Migration } from "../migration.js";

/**
 * `wake_due_at`: when a worker should have received this task's message at the latest (the enqueue
 * time, the end of a delay or of a retry's backoff, or the last time the reconciler sent one). A
 * queued or retrying task whose wake-up is long overdue has lost its message (a purged or expired
 * DLQ, an emulator restart), and the beat's reconciler sends it a fresh one; the claim makes a
 * spare wake-up harmless.
 */
export const migration: Migration = {
  id: "0010_task_wake_ups",
  statements: [
    "ALTER TABLE tasks ADD COLUMN wake_due_at timestamptz NOT NULL DEFAULT now()",
    "UPDATE tasks SET wake_due_at = GREATEST(updated_at, COALESCE(run_at, updated_at))",
    `CREATE INDEX tasks_wake_due ON tasks (wake_due_at) WHERE status IN ('queued', 'retrying', 'running')`,
  ],
};
