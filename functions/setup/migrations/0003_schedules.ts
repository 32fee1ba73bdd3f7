import type { Migration } from "../migration.js";

/** The beat's memory: which (schedule, slot) pairs were claimed, each schedule's latest slot, and runtime overrides. */
export const migration: Migration = {
  id: "0003_schedules",
  statements: [
    `CREATE TABLE schedule_slots (
       name text NOT NULL,
       slot timestamptz NOT NULL,
       claimed_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (name, slot)
     )`,
    // The latest slot each schedule ran, so a tick reads one row per schedule, not the slot history.
    `CREATE TABLE schedule_state (
       name text PRIMARY KEY,
       last_slot timestamptz NOT NULL
     )`,
    `CREATE TABLE schedule_overrides (
       name text PRIMARY KEY,
       enabled boolean,
       cron text,
       timezone text,
       updated_by text,
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
  ],
};
