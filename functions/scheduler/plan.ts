import { dueSlot, type Slot } from "./cron.js";
import { CLAIM_LEASE_SECONDS } from "./lease.js";
import type { PeriodicEntry } from "./periodic.js";

export interface ScheduleOverride {
  name: string;
  enabled: boolean | null;
  cron: string | null;
  timezone: string | null;
}

export interface EffectiveSchedule extends PeriodicEntry {
  overridden: boolean;
}

/** Code defines the schedules; an override from the database wins field by field. */
export function effectiveSchedules(entries: PeriodicEntry[], overrides: ScheduleOverride[]): EffectiveSchedule[] {
  const byName = new Map(overrides.map((o) => [o.name, o]));
  return entries.map((entry) => {
    const override = byName.get(entry.name);
    if (!override) return { ...entry, overridden: false };
    return {
      ...entry,
      enabled: override.enabled ?? entry.enabled,
      cron: override.cron ?? entry.cron,
      timezone: override.timezone ?? entry.timezone,
      overridden: true,
    };
  });
}

export interface DueSlot {
  schedule: EffectiveSchedule;
  /** When the run is due (a real instant). */
  slot: Date;
  /** Which run it is, by local wall-clock time and zone: what claims and idempotency keys use. */
  key: string;
}

/**
 * How far back a schedule that never ran looks: a claim lease and two ticks, so a first slot whose
 * claimer died is still due when its lease runs out, while a new daily entry does not fire for a
 * slot hours ago.
 */
const FIRST_RUN_WINDOW_MS = (CLAIM_LEASE_SECONDS + 120) * 1000;

/**
 * The slots due at `now`: per enabled schedule, the latest occurrence after its last slot, looking
 * back at most `maxCatchUpMinutes`. Pure, so the clock, zones and DST are tested without AWS.
 */
export function dueSlots(schedules: EffectiveSchedule[], lastSlots: Record<string, string>, now: Date, maxCatchUpMinutes: number): DueSlot[] {
  const floor = now.getTime() - maxCatchUpMinutes * 60_000;
  const due: DueSlot[] = [];
  // Many schedules share a pattern, a zone and a last slot: evaluate each combination once per tick.
  const memo = new Map<string, Slot | undefined>();
  for (const schedule of schedules) {
    if (!schedule.enabled) continue;
    const last = lastSlots[schedule.name];
    const since = Math.max(last ? Date.parse(last) : now.getTime() - FIRST_RUN_WINDOW_MS, floor);
    const key = `${schedule.timezone}|${schedule.cron}|${since}`;
    if (!memo.has(key)) memo.set(key, dueSlot(schedule.cron, schedule.timezone, new Date(since), now));
    const slot = memo.get(key);
    if (slot) due.push({ schedule, slot: slot.at, key: slot.key });
  }
  return due;
}
