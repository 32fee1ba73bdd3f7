import type { Migration } from "../migration.js";

/** The app's event log (events with a topic, a status and a description) and maintenance run bookkeeping. */
export const migration: Migration = {
  id: "0004_events_maintenance",
  statements: [
    `CREATE TABLE events (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       topic text NOT NULL,
       status text NOT NULL CHECK (status IN ('pending', 'in_progress', 'finished', 'failed')),
       description text NOT NULL DEFAULT '',
       payload jsonb NOT NULL DEFAULT '{}',
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
    "CREATE INDEX events_topic_created ON events (topic, created_at DESC)",
    "CREATE INDEX events_created ON events (created_at)",
    `CREATE TABLE maintenance_runs (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       run_key text UNIQUE,
       trigger text NOT NULL,
       status text NOT NULL CHECK (status IN ('in_progress', 'finished', 'failed')),
       event_id uuid,
       execution_arn text,
       failed_step text,
       error text,
       results jsonb,
       started_at timestamptz NOT NULL DEFAULT now(),
       finished_at timestamptz
     )`,
    // At most one run in progress, whoever starts it: the schedule, the API or the CLI.
    "CREATE UNIQUE INDEX maintenance_runs_one_in_progress ON maintenance_runs ((true)) WHERE status = 'in_progress'",
    `CREATE TABLE maintenance_step_overrides (
       name text PRIMARY KEY,
       enabled boolean NOT NULL,
       updated_by text,
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
  ],
};
