import type * as z from "zod";
import { notificationsAsyncSchema } from "../contracts/config/schema.js";
import type { Database } from "../core/db/database.js";
import { json } from "../core/db/parameters.js";

/** "" every project inline, "all" every project on the queue, or the ids of the projects on the queue. */
export type AsyncSetting = z.output<typeof notificationsAsyncSchema>;
export type NotificationMode = "inline" | "async";

/** Whether the project's notifications go through the queue under this setting. */
export function modeFor(setting: AsyncSetting, projectId: string): NotificationMode {
  if (setting === "") return "inline";
  if (setting === "all") return "async";
  return setting.includes(projectId.toLowerCase()) ? "async" : "inline";
}

const SETTING_KEY = "notifications.async";

export interface AsyncSettingView {
  /** What the deployment's configuration says (`notifications.async`). */
  configured: AsyncSetting;
  /** An admin's runtime override; null when the configuration is in force. */
  override: AsyncSetting | null;
  /** What the next request uses. */
  effective: AsyncSetting;
}

/** Ids are compared in lower case, as PostgreSQL prints uuids; the same id given twice counts once. */
export function normalized(setting: AsyncSetting): AsyncSetting {
  return typeof setting === "string" ? setting : [...new Set(setting.map((id) => id.toLowerCase()))];
}

/** The setting in force: the override stored in `settings` if an admin set one, else the configuration's. */
export async function asyncSetting(db: Database, configured: AsyncSetting): Promise<AsyncSettingView> {
  const row = await db.first<{ value: string }>(`SELECT value::text AS value FROM settings WHERE key = :key`, {
    key: SETTING_KEY,
  });
  // A stored value that no longer parses (a hand edit) is ignored rather than failing every item update.
  const stored = row ? notificationsAsyncSchema.safeParse(parsedJson(row.value)) : undefined;
  const override = stored?.success ? normalized(stored.data) : null;
  const base = normalized(configured);
  return { configured: base, override, effective: override ?? base };
}

/** Stores an admin's override (null removes it, so the configuration is in force again). */
export async function saveAsyncOverride(db: Database, value: AsyncSetting | null, by: string): Promise<void> {
  if (value === null) {
    await db.query(`DELETE FROM settings WHERE key = :key`, { key: SETTING_KEY });
    return;
  }
  await db.query(
    `INSERT INTO settings (key, value, updated_by, updated_at) VALUES (:key, :value, :by, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = now()`,
    { key: SETTING_KEY, value: json(normalized(value)), by },
  );
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
