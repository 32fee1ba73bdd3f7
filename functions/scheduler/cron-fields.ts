import type { DayMatching } from "./periodic.js";

/**
 * A quick first look at a five-field pattern, without croner: which minutes, hours, days, months
 * and weekdays it names. Building a croner job allocates tens of kilobytes (a 10,000-entry year
 * table among them), so a beat with 10,000 distinct patterns spent over a second building jobs,
 * mostly in garbage collection, for schedules that were not even due. This look answers "can this
 * pattern fire at any wall-clock minute in the window?" and croner is asked only when it can.
 * Patterns with anything beyond numbers, ranges, steps, lists and `*` (names, L, W, #) get no
 * quick look: croner decides for them.
 */
export interface FieldSets {
  minute: boolean[];
  hour: boolean[];
  dayOfMonth: boolean[];
  month: boolean[];
  dayOfWeek: boolean[];
  /** The field is exactly `*`: under cron's "or" rule the other day field then decides alone. */
  anyDayOfMonth: boolean;
  anyDayOfWeek: boolean;
}

const parsed = new Map<string, FieldSets | null>();
const MAX_REMEMBERED = 50_000;

/** The pattern's field sets, or null when it uses syntax this quick look leaves to croner. */
export function fieldSets(cron: string): FieldSets | null {
  let sets = parsed.get(cron);
  if (sets === undefined) {
    if (parsed.size >= MAX_REMEMBERED) parsed.clear();
    sets = parseFields(cron);
    parsed.set(cron, sets);
  }
  return sets;
}

function parseFields(cron: string): FieldSets | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return null;
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const sets = {
    minute: parseField(minute, 0, 59),
    hour: parseField(hour, 0, 23),
    dayOfMonth: parseField(dom, 1, 31),
    month: parseField(month, 1, 12),
    dayOfWeek: parseField(dow, 0, 7),
  };
  if (!sets.minute || !sets.hour || !sets.dayOfMonth || !sets.month || !sets.dayOfWeek) return null;
  // Sunday is 0 or 7.
  if (sets.dayOfWeek[7]) sets.dayOfWeek[0] = true;
  return { ...sets, dayOfWeek: sets.dayOfWeek, anyDayOfMonth: dom === "*", anyDayOfWeek: dow === "*" } as FieldSets;
}

function parseField(field: string, min: number, max: number): boolean[] | null {
  const set = Array<boolean>(max + 1).fill(false);
  for (const part of field.split(",")) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) return null;
    const [, , fromText, toText, stepText] = match;
    const from = fromText === undefined ? min : Number(fromText);
    // "5/10" is croner's error, not ours to accept: a step needs `*` or a range.
    if (stepText !== undefined && fromText !== undefined && toText === undefined) return null;
    const to = fromText === undefined ? max : toText === undefined ? from : Number(toText);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (from < min || to > max || from > to || step < 1) return null;
    for (let v = from; v <= to; v += step) set[v] = true;
  }
  return set;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * False only when no wall-clock minute in (fromWall, toWall] matches the pattern; true when one
 * may (or when the pattern has no quick look). Walks whole days, then hours, then minutes, so a
 * window of a day costs a few dozen steps.
 */
export function mayMatchBetween(cron: string, days: DayMatching, fromWall: number, toWall: number): boolean {
  const sets = fieldSets(cron);
  if (!sets) return true;
  let t = Math.floor(fromWall / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  while (t <= toWall) {
    const date = new Date(t);
    if (!dayMatches(sets, days, date)) {
      t = Math.floor(t / DAY_MS) * DAY_MS + DAY_MS;
      continue;
    }
    if (!sets.hour[date.getUTCHours()]) {
      t = Math.floor(t / HOUR_MS) * HOUR_MS + HOUR_MS;
      continue;
    }
    if (sets.minute[date.getUTCMinutes()]) return true;
    t += MINUTE_MS;
  }
  return false;
}

function dayMatches(sets: FieldSets, days: DayMatching, date: Date): boolean {
  if (!sets.month[date.getUTCMonth() + 1]) return false;
  const dom = sets.dayOfMonth[date.getUTCDate()] ?? false;
  const dow = sets.dayOfWeek[date.getUTCDay()] ?? false;
  if (days === "and") return dom && dow;
  if (sets.anyDayOfMonth) return dow;
  if (sets.anyDayOfWeek) return dom;
  return dom || dow;
}
