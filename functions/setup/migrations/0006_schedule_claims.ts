import type { Migration } from "../migration.js";

/**
 * A claim is not a run: `started_at` marks the claims whose work was handed over, so a claim left
 * behind by a dispatcher that died between claiming and enqueueing can be taken over once its lease
 * ends. The index on `slot` keeps the per-tick pruning of old claims cheap.
 */
export const migration: Migration = {
  id: "0006_schedule_claims",
  statements: [
    "ALTER TABLE schedule_slots ADD COLUMN started_at timestamptz",
    // Claims made before this column existed were either started and recorded, or given back.
    "UPDATE schedule_slots SET started_at = claimed_at",
    "CREATE INDEX schedule_slots_slot ON schedule_slots (slot)",
  ],
};
