import type { Migration } from "../migration.js";

/** Background tasks: one row per task, the source of truth that makes SQS's at-least-once effectively-once. */
export const migration: Migration = {
  id: "0002_tasks",
  statements: [
    `CREATE TABLE tasks (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       name text NOT NULL,
       queue text NOT NULL,
       payload jsonb NOT NULL,
       status text NOT NULL CHECK (status IN ('queued', 'scheduled', 'running', 'retrying', 'succeeded', 'failed', 'cancelled')),
       attempts int NOT NULL DEFAULT 0,
       max_attempts int NOT NULL,
       progress int CHECK (progress BETWEEN 0 AND 100),
       progress_note text,
       result jsonb,
       error text,
       idempotency_key text UNIQUE,
       unique_key text,
       created_by text,
       run_at timestamptz,
       lease_expires_at timestamptz,
       dead_lettered_at timestamptz,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now(),
       started_at timestamptz,
       finished_at timestamptz
     )`,
    // The Redis lock a Celery app takes around a task, without Redis: at most one active task per unique key.
    `CREATE UNIQUE INDEX tasks_unique_key_active ON tasks (unique_key)
       WHERE unique_key IS NOT NULL AND status IN ('queued', 'scheduled', 'running', 'retrying')`,
    "CREATE INDEX tasks_created ON tasks (created_at DESC, id DESC)",
    "CREATE INDEX tasks_status_created ON tasks (status, created_at DESC)",
    "CREATE INDEX tasks_scheduled_run_at ON tasks (run_at) WHERE status = 'scheduled'",
    "CREATE INDEX tasks_finished_at ON tasks (finished_at) WHERE finished_at IS NOT NULL",
  ],
};
