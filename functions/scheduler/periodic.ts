import type { Config } from "../contracts/config/schema.js";

export type PeriodicTarget =
  | { kind: "task"; task: string; payload: unknown }
  /** Starts the maintenance state machine; the slot's date is its run key. */
  | { kind: "maintenance" };

/**
 * When both day-of-month and day-of-week are restricted (`0 9 13 * 5`): "or" is cron's rule (the
 * 13th, and every Friday), "and" is Celery crontab's (only a Friday the 13th). With either field
 * `*` the two agree.
 */
export type DayMatching = "or" | "and";
/**
 * What a tick does with slots that passed while no tick ran (an outage, a paused beat), looking
 * back at most `scheduler.maxCatchUpMinutes`: "latest" runs the most recent one, once; "none" runs
 * only a slot of the tick's own minute; "all" runs each missed slot once.
 */
export type MissedRuns = "latest" | "none" | "all";
/**
 * "skip": a slot is not started while an earlier run of the schedule (a slot's or a manual one) is
 * still queued, running or retrying; it is recorded as skipped, not tried again. "allow" starts it anyway.
 */
export type OverlapPolicy = "allow" | "skip";

export const DEFAULT_DAY_MATCHING: DayMatching = "or";
export const DEFAULT_MISSED: MissedRuns = "latest";
export const DEFAULT_OVERLAP: OverlapPolicy = "allow";

/** A periodic entry, Celery beat's `beat_schedule` item. */
export interface PeriodicEntry {
  name: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  target: PeriodicTarget;
  description: string;
  /** @default "or" (cron's rule) */
  dayMatching?: DayMatching;
  /** @default "latest" */
  missed?: MissedRuns;
  /** @default "allow" */
  overlap?: OverlapPolicy;
}

/**
 * The app's periodic work, defined in code and deployed with it. Runtime changes (enable,
 * disable, another cron or zone) are overrides in the database, set through PATCH /schedules.
 */
export function periodicEntries(config: Config): PeriodicEntry[] {
  const [hour, minute] = config.maintenance.dailyAt.split(":").map(Number);
  return [
    {
      name: "maintenance.daily",
      cron: `${minute} ${hour} * * *`,
      timezone: config.maintenance.timezone,
      enabled: true,
      target: { kind: "maintenance" },
      description: "Runs the maintenance state machine (config maintenance.dailyAt / timezone)",
    },
    {
      name: "housekeeping.expire-idempotency-keys",
      cron: "17 * * * *",
      timezone: "UTC",
      enabled: true,
      target: { kind: "task", task: "housekeeping.expire-idempotency-keys", payload: { olderThanHours: 24 } },
      description: "Frees idempotency keys of tasks finished more than a day ago",
    },
    {
      name: "reports.daily-digest",
      cron: "0 7 * * *",
      timezone: config.maintenance.timezone,
      enabled: true,
      target: { kind: "task", task: "reports.daily-digest", payload: { hours: 24 } },
      description: "Counts yesterday's tasks by name and status (on the reports queue)",
    },
    {
      name: "diagnostics.heartbeat",
      cron: "* * * * *",
      timezone: "UTC",
      // A minute-by-minute proof that the beat is alive; on by default where you develop.
      enabled: config.stage === "local",
      target: { kind: "task", task: "diagnostics.echo", payload: { message: "heartbeat" } },
      description: "Enqueues an echo task every minute",
    },
  ];
}
