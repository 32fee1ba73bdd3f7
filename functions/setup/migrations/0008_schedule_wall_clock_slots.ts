import type { Migration } from "../migration.js";

/**
 * A slot is claimed by the local wall-clock time it stands for ("2026-11-01T01:30 America/New_York"),
 * not by its UTC instant: in a DST fold one wall-clock time has two instants, and keyed on the
 * instant both could be claimed, so a fixed-time schedule ran twice. `slot` stays, as the instant
 * the run was due (ordering, pruning). Claims made before this migration keep their instant as
 * their key; they are pruned within the catch-up window and only ever block themselves.
 */
export const migration: Migration = {
  id: "0008_schedule_wall_clock_slots",
  statements: [
    "ALTER TABLE schedule_slots ADD COLUMN slot_key text",
    `UPDATE schedule_slots SET slot_key = 'instant ' || to_char(slot AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
    "ALTER TABLE schedule_slots ALTER COLUMN slot_key SET NOT NULL",
    "ALTER TABLE schedule_slots DROP CONSTRAINT schedule_slots_pkey",
    "ALTER TABLE schedule_slots ADD PRIMARY KEY (name, slot_key)",
  ],
};
