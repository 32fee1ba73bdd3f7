import { Cron } from "croner";
import { mayMatchBetween } from "./cron-fields.js";
import type { DayMatching } from "./periodic.js";
import { formatWall, instantsOf, MINUTE_MS, offsetAt } from "./wall-clock.js";

export { validateSchedule } from "./validate.js";

/**
 * A run of a schedule. `key` names it by the local wall-clock time it stands for, plus the zone
 * ("2026-11-01T01:30 America/New_York"): the claim and the task's idempotency key use it, so a
 * wall-clock time that happens twice in a DST fold can only ever be claimed once. `at` is the real
 * instant it is due, which orders runs and is stored as the schedule's last slot.
 */
export interface Slot {
  at: Date;
  key: string;
}

const HOUR_MS = 60 * MINUTE_MS;
/** Longer than any DST shift in use (Lord Howe: 30 min, everyone else: 1 h); bounds the search around a transition. */
const SHIFT_MARGIN_MS = 3 * HOUR_MS;

const cache = new Map<string, Cron>();
/**
 * Each croner job holds tens of kilobytes (a 10,000-entry year table among them): a warm dispatcher
 * keeps the most recently used ones, not one per distinct pattern it ever met.
 */
const MAX_CACHED_JOBS = 500;

/**
 * The pattern matched against the wall clock, not against any zone: croner's own DST handling only
 * covers single-number minute and hour fields, so the zone is applied here instead (`instantsOf`).
 */
function wallPattern(cron: string, days: DayMatching): Cron {
  const cacheKey = `${days} ${cron}`;
  let job = cache.get(cacheKey);
  if (job) {
    // Least recently used goes first: a hit moves to the end of the Map's order.
    cache.delete(cacheKey);
  } else {
    if (cache.size >= MAX_CACHED_JOBS) cache.delete(cache.keys().next().value as string);
    // Day matching decides which wall-clock dates match, before any zone or DST rule applies.
    job = new Cron(cron, { utcOffset: 0, paused: true, mode: "5-part", domAndDow: days === "and" });
  }
  cache.set(cacheKey, job);
  return job;
}

/**
 * True when the pattern cannot fire in (from, to]: the zone keeps one offset well around the
 * window (read at whole hours, which later calls share) and no wall-clock minute of the window
 * matches the pattern's fields. Most schedules of a tick are not due; this answers them without croner.
 */
function surelyIdle(cron: string, zone: string, from: number, to: number, days: DayMatching): boolean {
  const offset = offsetAt(Math.floor((from - SHIFT_MARGIN_MS) / HOUR_MS) * HOUR_MS, zone);
  if (offsetAt(Math.ceil((to + SHIFT_MARGIN_MS) / HOUR_MS) * HOUR_MS, zone) !== offset) return false;
  return !mayMatchBetween(cron, days, from + offset, to + offset);
}

/**
 * Vixie cron's distinction: a pattern with a fixed time (no `*` or step in minute and hour, e.g.
 * `30 2 * * *` or `0 2,14 * * *`) is about a time of day, so it runs once per wall-clock time even
 * when DST skips or repeats it. Any other pattern (`*\/15 * * * *`, `0 * * * *`) follows the clock:
 * minutes that do not exist do not run, and a repeated hour runs again.
 */
export function isFixedTime(cron: string): boolean {
  const [minute = "*", hour = "*"] = cron.trim().split(/\s+/);
  return !/[*?/]/.test(minute) && !/[*?/]/.test(hour);
}

/** The runs a matching wall-clock time gives in `zone`, by the rule above. */
function runsOfWall(wall: number, zone: string, fixed: boolean): Slot[] {
  const key = `${formatWall(wall)} ${zone}`;
  const { instants, jump } = instantsOf(wall, zone);
  if (jump !== undefined) return fixed ? [{ at: new Date(jump), key }] : [];
  const [first, second] = instants;
  if (first === undefined) return [];
  if (second === undefined || fixed) return [{ at: new Date(first), key }];
  return [
    { at: new Date(first), key },
    { at: new Date(second), key: `${formatWall(wall)} ${zone} (repeated)` },
  ];
}

/** True when the zone keeps one offset over [from, to]: no gap or fold can matter there. */
function steadyOffset(zone: string, from: number, to: number): number | undefined {
  const offset = offsetAt(from, zone);
  return offsetAt(to, zone) === offset ? offset : undefined;
}

/**
 * Every run with `at` in (from, to], in order of `at` (ties: later wall time last). Walks the wall
 * times that can map into the window and maps each to its runs.
 */
export function runsBetween(cron: string, zone: string, from: Date, to: Date, days: DayMatching = "or"): Slot[] {
  if (surelyIdle(cron, zone, from.getTime(), to.getTime(), days)) return [];
  const job = wallPattern(cron, days);
  const fixed = isFixedTime(cron);
  const offsets = [from.getTime() - SHIFT_MARGIN_MS, from.getTime(), to.getTime(), to.getTime() + SHIFT_MARGIN_MS].map(
    (t) => offsetAt(t, zone),
  );
  // A run at instant t stands for a wall time t + offset (a gap's run: the wall time it skipped, a
  // little earlier), so only wall times in (from + least offset, to + greatest offset] can land in the window.
  const firstWall = from.getTime() + Math.min(...offsets) - 1;
  const lastWall = to.getTime() + Math.max(...offsets);
  const runs: Array<Slot & { wall: number }> = [];
  for (let wall = job.nextRun(new Date(firstWall)); wall && wall.getTime() <= lastWall; wall = job.nextRun(wall)) {
    for (const run of runsOfWall(wall.getTime(), zone, fixed)) {
      if (run.at.getTime() > from.getTime() && run.at.getTime() <= to.getTime())
        runs.push({ ...run, wall: wall.getTime() });
    }
  }
  runs.sort((a, b) => a.at.getTime() - b.at.getTime() || a.wall - b.wall);
  return runs.map(({ at, key }) => ({ at, key }));
}

/**
 * The run due now, if any: the latest in (since, now]. A schedule that missed several runs (the
 * dispatcher was down) runs once, for the latest, not once per missed run. Away from DST changes
 * the clock is a plain shift of UTC, and one croner lookup answers.
 */
export function dueSlot(
  cron: string,
  timezone: string,
  since: Date,
  now: Date,
  days: DayMatching = "or",
): Slot | undefined {
  if (surelyIdle(cron, timezone, since.getTime(), now.getTime(), days)) return undefined;
  // The margin before `since` matters too: just after a fold, a wall time may already have run in its first pass.
  const offset = steadyOffset(timezone, since.getTime() - SHIFT_MARGIN_MS, now.getTime());
  if (offset === undefined || offsetAt(since.getTime(), timezone) !== offset)
    return runsBetween(cron, timezone, since, now, days).at(-1);
  const [wall] = wallPattern(cron, days).previousRuns(1, new Date(now.getTime() + offset + 1));
  if (!wall || wall.getTime() - offset <= since.getTime()) return undefined;
  return { at: new Date(wall.getTime() - offset), key: `${formatWall(wall.getTime())} ${timezone}` };
}

/** The first run after `after`, looking up to 10 years ahead (a fixed-time 29 February comes back). */
export function nextSlot(cron: string, timezone: string, after: Date, days: DayMatching = "or"): Slot | undefined {
  const job = wallPattern(cron, days);
  let from = after.getTime();
  for (let hops = 0; hops < 50; hops++) {
    const [run] = runsBetween(cron, timezone, new Date(from), new Date(from + 24 * HOUR_MS), days);
    if (run) return run;
    // Nothing within a day: jump to a day before the next wall-clock match.
    const nextWall = job.nextRun(new Date(from + 24 * HOUR_MS + offsetAt(from, timezone) - SHIFT_MARGIN_MS));
    if (!nextWall || nextWall.getTime() - after.getTime() > 10 * 366 * 24 * HOUR_MS) return undefined;
    from = Math.max(from + 24 * HOUR_MS, nextWall.getTime() - 24 * HOUR_MS);
  }
  return undefined;
}

export function nextRun(cron: string, timezone: string, after: Date, days: DayMatching = "or"): Date | undefined {
  return nextSlot(cron, timezone, after, days)?.at;
}
