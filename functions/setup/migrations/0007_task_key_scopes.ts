import type { Migration } from "../migration.js";

/**
 * Idempotency and unique keys belong to whoever enqueued: "user:<sub>" for API callers (admins
 * included), "system" for the beat and maintenance. Another caller's key is then never a duplicate
 * of yours, so bob reusing alice's "invoice-42" gets his own task and learns nothing of hers.
 */
export const migration: Migration = {
  id: "0007_task_key_scopes",
  statements: [
    "ALTER TABLE tasks ADD COLUMN key_scope text NOT NULL DEFAULT 'system'",
    // Rows from before: the API recorded the caller's sub in created_by, the beat "scheduler".
    `UPDATE tasks SET key_scope = 'user:' || created_by WHERE created_by IS NOT NULL AND created_by <> 'scheduler'`,
    "ALTER TABLE tasks DROP CONSTRAINT tasks_idempotency_key_key",
    "CREATE UNIQUE INDEX tasks_scoped_idempotency_key ON tasks (key_scope, idempotency_key) WHERE idempotency_key IS NOT NULL",
    "DROP INDEX tasks_unique_key_active",
    `CREATE UNIQUE INDEX tasks_scoped_unique_key_active ON tasks (key_scope, unique_key)
       WHERE unique_key IS NOT NULL AND status IN ('queued', 'scheduled', 'running', 'retrying')`,
  ],
};
