import type { Config } from "../core/config/schema.js";

export type PeriodicTarget =
  | { kind: "task"; task: string; payload: unknown }
  /** Starts the maintenance state machine; the slot's date is its run key. */
  | { kind: "maintenance" };

/** A periodic entry, Celery beat's `beat_schedule` item. */
export interface PeriodicEntry {
  name: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  target: PeriodicTarget;
  description: string;
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
