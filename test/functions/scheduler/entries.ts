import type { PeriodicEntry } from "../../../functions/scheduler/periodic.js";

/** A periodic entry named "s" that enqueues an echo: what the planner tests vary is its cron, zone and choices. */
export const entry = (
  cron: string,
  timezone: string,
  choices: Pick<PeriodicEntry, "dayMatching" | "missed" | "overlap"> = {},
): PeriodicEntry => ({
  name: "s",
  cron,
  timezone,
  enabled: true,
  description: "",
  target: { kind: "task", task: "diagnostics.echo", payload: {} },
  ...choices,
});
