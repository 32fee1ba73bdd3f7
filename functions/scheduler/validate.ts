import { Cron } from "croner";
import { ValidationError } from "../core/errors.js";
import type { DayMatching, MissedRuns, OverlapPolicy } from "./periodic.js";

/** Longer than any sensible five-field pattern or zone name; keeps junk out of the database. */
export const MAX_CRON_LENGTH = 100;
export const MAX_TIMEZONE_LENGTH = 64;

/**
 * What each nickname means in five fields, so the refusal can say what to write instead. Nicknames
 * are refused rather than mapped: the stored pattern is then always what the beat runs.
 */
const NICKNAMES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const FIELDS = "minute hour day-of-month month day-of-week";

/**
 * Refuses a schedule the once-a-minute beat cannot honour, naming each reason: anything but five
 * fields (a sixth would be seconds), nicknames, a pattern that never fires under its day matching
 * (30 February; with "and", a Monday 30 February too), and a zone that is not spelled as its
 * canonical IANA name (`utc` for `UTC`).
 */
export function validateSchedule(
  cron: string,
  timezone: string,
  days: DayMatching = "or",
): { cron: string; timezone: string } {
  const issues = [...cronIssues(cron, days), ...timezoneIssues(timezone)];
  if (issues.length > 0) throw new ValidationError("Invalid schedule", issues);
  // Stored with single spaces, so the pattern shown is the pattern run.
  return { cron: cron.trim().split(/\s+/).join(" "), timezone };
}

function cronIssues(cron: string, days: DayMatching): string[] {
  if (cron.length === 0) return [`cron: empty; write five fields (${FIELDS})`];
  if (cron.length > MAX_CRON_LENGTH) return [`cron: longer than ${MAX_CRON_LENGTH} characters`];
  if (!/^[\x20-\x7e]+$/.test(cron)) return ["cron: only printable ASCII characters are allowed"];
  const trimmed = cron.trim();
  if (trimmed.startsWith("@")) {
    const nickname = trimmed.toLowerCase();
    const hint = Object.hasOwn(NICKNAMES, nickname) ? `; write "${NICKNAMES[nickname]}" instead` : "";
    return [`cron: nicknames such as "${trimmed}" are not accepted${hint || " (a periodic entry needs a time)"}`];
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5) {
    const seconds = fields.length === 6 ? "; the beat ticks once a minute, so there is no seconds field" : "";
    return [`cron: expected 5 fields (${FIELDS}), got ${fields.length}${seconds}`];
  }
  let job: Cron;
  try {
    job = new Cron(trimmed, { timezone: "UTC", paused: true, mode: "5-part", domAndDow: days === "and" });
  } catch (error) {
    return [`cron: ${(error as Error).message}`];
  }
  // Evaluated on the wall clock (UTC stands for it): whether a date exists does not depend on the zone.
  if (!job.nextRun(new Date())) {
    const both = days === "and" ? ', or no such date falls on the day of the week given (day matching "and")' : "";
    return [`cron: "${trimmed}" never fires (no such date, e.g. 30 February or 31 April${both})`];
  }
  return [];
}

function timezoneIssues(timezone: string): string[] {
  if (timezone.length === 0) return ["timezone: empty; use an IANA zone such as UTC or Europe/Paris"];
  if (timezone.length > MAX_TIMEZONE_LENGTH) return [`timezone: longer than ${MAX_TIMEZONE_LENGTH} characters`];
  // Letters, digits, _ + - and slashes: no offsets ("+01:00"), which newer runtimes would accept as zones.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(timezone))
    return [`timezone: "${timezone}" is not an IANA time zone (e.g. UTC, Europe/Paris)`];
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat("en-US", { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    return [`timezone: "${timezone}" is not an IANA time zone (e.g. UTC, Europe/Paris)`];
  }
  // Intl accepts "utc" or "europe/paris" and aliases such as "US/Eastern"; only the canonical spelling is stored.
  if (canonical !== timezone) return [`timezone: write "${canonical}" instead of "${timezone}"`];
  return [];
}

/** The values each per-schedule choice accepts, for the API's request schema. */
export const DAY_MATCHINGS = ["or", "and"] as const satisfies readonly DayMatching[];
export const MISSED_RUNS = ["latest", "none", "all"] as const satisfies readonly MissedRuns[];
export const OVERLAP_POLICIES = ["allow", "skip"] as const satisfies readonly OverlapPolicy[];
