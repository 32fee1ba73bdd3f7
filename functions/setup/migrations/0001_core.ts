import type { Migration } from "../migration.js";

/** Bookkeeping every later feature leans on: a key/value table for runtime settings. */
export const migration: Migration = {
  id: "0001_core",
  statements: [
    `CREATE TABLE IF NOT EXISTS app_settings (
       key text PRIMARY KEY,
       value jsonb NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
  ],
};
