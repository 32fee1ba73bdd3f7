import type { Migration } from "../migration.js";

/**
 * Per-schedule choices an operator can override at runtime (day matching, missed runs, overlap),
 * a mark on slots that were skipped because the previous run was still active, and an index that
 * answers "is a run of this schedule still active?" from the few active scheduler tasks only.
 * NULL in an override column means "the code's choice", as for the older columns.
 */
export const migration: Migration = {
  id: "0009_schedule_choices",
  statements: [
    "ALTER TABLE schedule_overrides ADD COLUMN day_matching text CHECK (day_matching IN ('or', 'and'))",
    "ALTER TABLE schedule_overrides ADD COLUMN missed text CHECK (missed IN ('latest', 'none', 'all'))",
    "ALTER TABLE schedule_overrides ADD COLUMN overlap text CHECK (overlap IN ('allow', 'skip'))",
    // A skipped slot is also marked started: it was decided, so no other tick takes its claim over.
    "ALTER TABLE schedule_slots ADD COLUMN skipped boolean NOT NULL DEFAULT false",
    // The beat's tasks carry the key "schedule:<name>:<slot>" in the system scope; the predicate
    // keeps the index to those still queued, running or retrying.
    `CREATE INDEX tasks_active_schedule_runs ON tasks (idempotency_key)
       WHERE key_scope = 'system' AND idempotency_key LIKE 'schedule:%' AND status IN ('queued', 'running', 'retrying')`,
  ],
};
