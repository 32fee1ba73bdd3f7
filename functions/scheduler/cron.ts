import { Cron } from "croner";
import { ValidationError } from "../core/errors.js";

const cache = new Map<string, Cron>();

/** Five fields, minute precision: the beat ticks once a minute, so a seconds field would only mislead. */
const MODE = "5-part";

/** Compiled patterns are kept across ticks of a warm dispatcher: compiling 10,000 costs more than evaluating them. */
export function compiled(cron: string, timezone: string): Cron {
  const key = `${timezone} ${cron}`;
  let job = cache.get(key);
  if (!job) {
    job = new Cron(cron, { timezone, paused: true, mode: MODE });
    cache.set(key, job);
  }
  return job;
}

/**
 * The slot to run now, if any: the latest occurrence in (since, now]. A schedule that missed several
 * slots (the dispatcher was down) runs once, for the latest, not once per missed slot.
 */
export function dueSlot(cron: string, timezone: string, since: Date, now: Date): Date | undefined {
  const job = compiled(cron, timezone);
  const next = job.nextRun(since);
  if (!next || next.getTime() > now.getTime()) return undefined;
  const [latest] = job.previousRuns(1, new Date(now.getTime() + 1));
  return latest && latest.getTime() > since.getTime() ? latest : next;
}

export function nextRun(cron: string, timezone: string, after: Date): Date | undefined {
  return compiled(cron, timezone).nextRun(after) ?? undefined;
}

/** Refuses a pattern or zone croner cannot read, naming which. */
export function validateSchedule(cron: string, timezone: string): void {
  const issues: string[] = [];
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    issues.push(`timezone: "${timezone}" is not an IANA time zone`);
  }
  if (issues.length === 0) {
    try {
      new Cron(cron, { timezone, paused: true, mode: MODE });
    } catch (error) {
      issues.push(`cron: ${(error as Error).message}`);
    }
  } else {
    try {
      new Cron(cron, { paused: true, mode: MODE });
    } catch (error) {
      issues.push(`cron: ${(error as Error).message}`);
    }
  }
  if (issues.length > 0) throw new ValidationError("Invalid schedule", issues);
}
