import type { Database } from "../core/db/database.js";
import { json } from "../core/db/parameters.js";
import { CLAIM_LEASE_SECONDS } from "../contracts/scheduler.js";
import type { DayMatching, MissedRuns, OverlapPolicy } from "./periodic.js";
import type { DueSlot, ScheduleOverride } from "./plan.js";

export interface SchedulerState {
  lastSlots: Record<string, string>;
  overrides: ScheduleOverride[];
}

/** Everything a tick needs to know, in one round trip. */
export async function loadState(db: Database): Promise<SchedulerState> {
  const row = await db.first<{ slots: Record<string, string> | null; overrides: ScheduleOverride[] | null }>(
    `SELECT (SELECT json_object_agg(name, last_slot) FROM schedule_state) AS slots,
            (SELECT json_agg(json_build_object('name', name, 'enabled', enabled, 'cron', cron, 'timezone', timezone,
                                               'dayMatching', day_matching, 'missed', missed, 'overlap', overlap)) FROM schedule_overrides) AS overrides`,
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

const slotRows = (slots: DueSlot[]) =>
  slots.map((d) => ({ name: d.schedule.name, slot_key: d.key, slot: d.slot.toISOString() }));

/** A slot whose work could not be started is given back, so the next tick tries it again. */
export async function releaseSlot(db: Database, name: string, key: string): Promise<void> {
  await db.query("DELETE FROM schedule_slots WHERE name = :name AND slot_key = :key AND started_at IS NULL", {
    name,
    key,
  });
}

/** Gives back many slots in one statement (see releaseSlot). */
export async function releaseSlots(db: Database, slots: DueSlot[]): Promise<void> {
  if (slots.length === 0) return;
  await db.query(
    `DELETE FROM schedule_slots s USING jsonb_to_recordset(:slots) AS d(name text, slot_key text)
      WHERE s.name = d.name AND s.slot_key = d.slot_key AND s.started_at IS NULL`,
    { slots: json(slotRows(slots)) },
  );
}

/** What a tick decided about the slots it claimed. */
export interface TickOutcome {
  /** Handed over: the task was enqueued or the maintenance run started. */
  started: DueSlot[];
  /** Not started because the schedule's previous run was still active (`overlap: "skip"`); never tried again. */
  skipped: DueSlot[];
  /** The slots that move each schedule's last slot forward (a failed earlier slot holds it back). */
  advance: DueSlot[];
}

/**
 * One round trip after the starts: marks the claims decided (started or skipped), moves each
 * schedule's last slot forward, and drops claims older than any slot a tick can still find due
 * (`pruneBefore`).
 */
export async function recordRuns(db: Database, outcome: TickOutcome, pruneBefore: Date): Promise<void> {
  if (outcome.started.length === 0 && outcome.skipped.length === 0) return;
  const decided = [
    ...slotRows(outcome.started).map((r) => ({ ...r, skipped: false })),
    ...slotRows(outcome.skipped).map((r) => ({ ...r, skipped: true })),
  ];
  await db.query(
    `WITH decided AS (
       SELECT d.name, d.slot_key, d.skipped FROM jsonb_to_recordset(:decided) AS d(name text, slot_key text, skipped boolean)
     ), advance AS (
       SELECT d.name, d.slot FROM jsonb_to_recordset(:advance) AS d(name text, slot_key text, slot timestamptz)
     ), marked AS (
       UPDATE schedule_slots s SET started_at = now(), skipped = decided.skipped
         FROM decided WHERE s.name = decided.name AND s.slot_key = decided.slot_key
     ), pruned AS (
       DELETE FROM schedule_slots WHERE slot < :pruneBefore
     )
     INSERT INTO schedule_state (name, last_slot) SELECT name, max(slot) FROM advance GROUP BY name
     ON CONFLICT (name) DO UPDATE SET last_slot = GREATEST(schedule_state.last_slot, EXCLUDED.last_slot)`,
    { decided: json(decided), advance: json(slotRows(outcome.advance)), pruneBefore },
  );
}

/**
 * Which of `names` still have a run in flight: a task of the beat's (key `schedule:<name>:…`,
 * a slot's or a "run now") that is queued, running or retrying. One round trip for all of them;
 * the literal conditions match the partial index of migration 0009.
 */
export async function schedulesWithActiveRuns(db: Database, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db.rows<{ name: string }>(
    `SELECT n.name FROM jsonb_array_elements_text(:names) AS n(name)
      WHERE EXISTS (
        SELECT 1 FROM tasks t
         WHERE t.key_scope = 'system' AND t.idempotency_key LIKE 'schedule:%' AND t.status IN ('queued', 'running', 'retrying')
           AND starts_with(t.idempotency_key, 'schedule:' || n.name || ':'))`,
    { names: json(names) },
  );
  return new Set(rows.map((r) => r.name));
}

export interface OverrideChange {
  enabled?: boolean;
  cron?: string;
  timezone?: string;
  dayMatching?: DayMatching;
  missed?: MissedRuns;
  overlap?: OverlapPolicy;
}

export async function saveOverride(
  db: Database,
  name: string,
  change: OverrideChange,
  by: string | undefined,
): Promise<void> {
  await db.query(
    `INSERT INTO schedule_overrides (name, enabled, cron, timezone, day_matching, missed, overlap, updated_by)
     VALUES (:name, :enabled, :cron, :timezone, :dayMatching, :missed, :overlap, :by)
     ON CONFLICT (name) DO UPDATE SET
       enabled = COALESCE(EXCLUDED.enabled, schedule_overrides.enabled),
       cron = COALESCE(EXCLUDED.cron, schedule_overrides.cron),
       timezone = COALESCE(EXCLUDED.timezone, schedule_overrides.timezone),
       day_matching = COALESCE(EXCLUDED.day_matching, schedule_overrides.day_matching),
       missed = COALESCE(EXCLUDED.missed, schedule_overrides.missed),
       overlap = COALESCE(EXCLUDED.overlap, schedule_overrides.overlap),
       updated_by = EXCLUDED.updated_by, updated_at = now()`,
    {
      name,
      enabled: change.enabled,
      cron: change.cron,
      timezone: change.timezone,
      dayMatching: change.dayMatching,
      missed: change.missed,
      overlap: change.overlap,
      by,
    },
  );
}

/** Drops a schedule's runtime override: it runs on the code's default again. True when there was one. */
export async function deleteOverride(db: Database, name: string): Promise<boolean> {
  const removed = await db.first<{ name: string }>("DELETE FROM schedule_overrides WHERE name = :name RETURNING name", {
    name,
  });
  return removed !== undefined;
}
