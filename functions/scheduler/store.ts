import type { Database } from "../core/db/database.js";
import { json } from "../core/db/parameters.js";
import { CLAIM_LEASE_SECONDS } from "./lease.js";
import type { DueSlot, ScheduleOverride } from "./plan.js";

export interface SchedulerState {
  lastSlots: Record<string, string>;
  overrides: ScheduleOverride[];
}

/** Everything a tick needs to know, in one round trip. */
export async function loadState(db: Database): Promise<SchedulerState> {
  const row = await db.first<{ slots: Record<string, string> | null; overrides: ScheduleOverride[] | null }>(
    `SELECT (SELECT json_object_agg(name, last_slot) FROM schedule_state) AS slots,
            (SELECT json_agg(json_build_object('name', name, 'enabled', enabled, 'cron', cron, 'timezone', timezone)) FROM schedule_overrides) AS overrides`,
  );
  return { lastSlots: row?.slots ?? {}, overrides: row?.overrides ?? [] };
}

/**
 * Claims (schedule, slot) pairs with their primary key, the slot's wall-clock key: of any number of
 * overlapping or repeated ticks, exactly one gets each pair back, and only what comes back may be
 * started. An expired claim that was never started is taken over in the same statement; starting
 * it again is safe because what it starts is keyed by the slot (the task's idempotency key, the
 * maintenance run key).
 */
export async function claimSlots(db: Database, due: DueSlot[], leaseSeconds = CLAIM_LEASE_SECONDS): Promise<DueSlot[]> {
  if (due.length === 0) return [];
  const rows = await db.rows<{ name: string; slot_key: string }>(
    `WITH due AS (
       SELECT d.name, d.slot_key, d.slot FROM jsonb_to_recordset(:due) AS d(name text, slot_key text, slot timestamptz)
     ), fresh AS (
       INSERT INTO schedule_slots (name, slot_key, slot) SELECT name, slot_key, slot FROM due
       ON CONFLICT DO NOTHING
       RETURNING name, slot_key
     ), expired AS (
       UPDATE schedule_slots s SET claimed_at = now()
         FROM due
        WHERE s.name = due.name AND s.slot_key = due.slot_key
          AND s.started_at IS NULL AND s.claimed_at < now() - make_interval(secs => :lease)
       RETURNING s.name, s.slot_key
     )
     SELECT name, slot_key FROM fresh UNION ALL SELECT name, slot_key FROM expired`,
    { due: json(slotRows(due)), lease: leaseSeconds },
  );
  const claimed = new Set(rows.map((r) => `${r.name}@${r.slot_key}`));
  return due.filter((d) => claimed.has(`${d.schedule.name}@${d.key}`));
}

const slotRows = (slots: DueSlot[]) => slots.map((d) => ({ name: d.schedule.name, slot_key: d.key, slot: d.slot.toISOString() }));

/** A slot whose work could not be started is given back, so the next tick tries it again. */
export async function releaseSlot(db: Database, name: string, key: string): Promise<void> {
  await db.query("DELETE FROM schedule_slots WHERE name = :name AND slot_key = :key AND started_at IS NULL", { name, key });
}

/**
 * One round trip after the starts: marks the claims started, moves each schedule's last slot
 * forward, and drops claims older than any slot a tick can still find due (`pruneBefore`).
 */
export async function recordRuns(db: Database, done: DueSlot[], pruneBefore: Date): Promise<void> {
  if (done.length === 0) return;
  await db.query(
    `WITH done AS (
       SELECT d.name, d.slot_key, d.slot FROM jsonb_to_recordset(:done) AS d(name text, slot_key text, slot timestamptz)
     ), started AS (
       UPDATE schedule_slots s SET started_at = now() FROM done WHERE s.name = done.name AND s.slot_key = done.slot_key
     ), pruned AS (
       DELETE FROM schedule_slots WHERE slot < :pruneBefore
     )
     INSERT INTO schedule_state (name, last_slot) SELECT name, max(slot) FROM done GROUP BY name
     ON CONFLICT (name) DO UPDATE SET last_slot = GREATEST(schedule_state.last_slot, EXCLUDED.last_slot)`,
    { done: json(slotRows(done)), pruneBefore },
  );
}

export async function saveOverride(db: Database, name: string, change: { enabled?: boolean; cron?: string; timezone?: string }, by: string | undefined): Promise<void> {
  await db.query(
    `INSERT INTO schedule_overrides (name, enabled, cron, timezone, updated_by)
     VALUES (:name, :enabled, :cron, :timezone, :by)
     ON CONFLICT (name) DO UPDATE SET
       enabled = COALESCE(EXCLUDED.enabled, schedule_overrides.enabled),
       cron = COALESCE(EXCLUDED.cron, schedule_overrides.cron),
       timezone = COALESCE(EXCLUDED.timezone, schedule_overrides.timezone),
       updated_by = EXCLUDED.updated_by, updated_at = now()`,
    { name, enabled: change.enabled, cron: change.cron, timezone: change.timezone, by },
  );
}

/** Drops a schedule's runtime override: it runs on the code's default again. True when there was one. */
export async function deleteOverride(db: Database, name: string): Promise<boolean> {
  const removed = await db.first<{ name: string }>("DELETE FROM schedule_overrides WHERE name = :name RETURNING name", { name });
  return removed !== undefined;
}
