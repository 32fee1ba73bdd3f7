import { dueSlot, runsBetween, type Slot } from "./cron.js";
import { CLAIM_LEASE_SECONDS } from "../contracts/scheduler.js";
import {
  DEFAULT_DAY_MATCHING,
  DEFAULT_MISSED,
  DEFAULT_OVERLAP,
  type DayMatching,
  type MissedRuns,
  type OverlapPolicy,
  type PeriodicEntry,
} from "./periodic.js";

export interface ScheduleOverride {
  name: string;
  enabled: boolean | null;
  cron: string | null;
  timezone: string | null;
  dayMatching?: DayMatching | null;
  missed?: MissedRuns | null;
  overlap?: OverlapPolicy | null;
}

/** A schedule as the beat runs it: every choice filled in, from the override, else the code, else the default. */
export interface EffectiveSchedule extends PeriodicEntry {
  dayMatching: DayMatching;
  missed: MissedRuns;
  overlap: OverlapPolicy;
  overridden: boolean;
}

/** Code defines the schedules; an override from the database wins field by field. */
export function effectiveSchedules(entries: PeriodicEntry[], overrides: ScheduleOverride[]): EffectiveSchedule[] {
  const byName = new Map(overrides.map((o) => [o.name, o]));
  return entries.map((entry) => {
    const override = byName.get(entry.name);
    const defaults = {
      ...entry,
      dayMatching: entry.dayMatching ?? DEFAULT_DAY_MATCHING,
      missed: entry.missed ?? DEFAULT_MISSED,
      overlap: entry.overlap ?? DEFAULT_OVERLAP,
    };
    if (!override) return { ...defaults, overridden: false };
    return {
      ...defaults,
      enabled: override.enabled ?? defaults.enabled,
      cron: override.cron ?? defaults.cron,
      timezone: override.timezone ?? defaults.timezone,
      dayMatching: override.dayMatching ?? defaults.dayMatching,
      missed: override.missed ?? defaults.missed,
      overlap: override.overlap ?? defaults.overlap,
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
 * With `missed: "all"`, at most this many missed slots of one schedule start per tick, earliest
 * first; the rest are found by the next ticks (a minutely schedule down for a day would otherwise
 * start 1,440 runs in one Lambda call).
 */
export const MAX_MISSED_RUNS_PER_TICK = 30;

/**
 * The slots due at `now`: per enabled schedule, the occurrences after its last slot, looking back
 * at most `maxCatchUpMinutes`, chosen by its `missed` policy: the latest, only one in the tick's
 * own minute, or each (earliest first, `MAX_MISSED_RUNS_PER_TICK` at most). Pure, so the clock,
 * zones and DST are tested without AWS.
 */
export function dueSlots(
  schedules: EffectiveSchedule[],
  lastSlots: Record<string, string>,
  now: Date,
  maxCatchUpMinutes: number,
): DueSlot[] {
  const floor = now.getTime() - maxCatchUpMinutes * 60_000;
  // "none": anything due before the tick's own minute was missed, and stays missed.
  const thisMinute = Math.floor(now.getTime() / 60_000) * 60_000 - 1;
  const due: DueSlot[] = [];
  // Many schedules share a pattern, a zone and a last slot: evaluate each combination once per tick.
  const memo = new Map<string, Slot[]>();
  for (const schedule of schedules) {
    if (!schedule.enabled) continue;
    const last = lastSlots[schedule.name];
    let since = Math.max(last ? Date.parse(last) : now.getTime() - FIRST_RUN_WINDOW_MS, floor);
    if (schedule.missed === "none") since = Math.max(since, thisMinute);
    const key = `${schedule.timezone}|${schedule.cron}|${schedule.dayMatching}|${schedule.missed === "all"}|${since}`;
    let slots = memo.get(key);
    if (!slots) {
      slots = slotsAfter(schedule, new Date(since), now);
      memo.set(key, slots);
    }
    for (const slot of slots) due.push({ schedule, slot: slot.at, key: slot.key });
  }
  return due;
}

function slotsAfter(schedule: EffectiveSchedule, since: Date, now: Date): Slot[] {
  if (schedule.missed === "all")
    return runsBetween(schedule.cron, schedule.timezone, since, now, schedule.dayMatching).slice(
      0,
      MAX_MISSED_RUNS_PER_TICK,
    );
  const latest = dueSlot(schedule.cron, schedule.timezone, since, now, schedule.dayMatching);
  return latest ? [latest] : [];
}
