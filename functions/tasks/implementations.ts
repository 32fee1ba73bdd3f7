import type { AnyTaskDefinition } from "./definition.js";
import { diagnosticsEcho } from "./definitions/diagnostics-echo.js";
import { expireIdempotencyKeys } from "./definitions/housekeeping-expire-idempotency-keys.js";
import { dailyDigest } from "./definitions/reports-daily-digest.js";
import { taskStatsReport } from "./definitions/reports-task-stats.js";
import { diagnosticsLongEcho } from "./definitions/diagnostics-long-echo.js";
import { diagnosticsRunaway } from "./definitions/diagnostics-runaway.js";
import { notificationsSend } from "./definitions/notifications-send.js";

/** The code the worker runs for each declared task (registry.ts); a unit test checks the two lists match. */
const implementations: readonly AnyTaskDefinition[] = [
  diagnosticsEcho,
  expireIdempotencyKeys,
  dailyDigest,
  taskStatsReport,
  diagnosticsLongEcho,
  diagnosticsRunaway,
  notificationsSend,
];

const byName: ReadonlyMap<string, AnyTaskDefinition> = new Map(implementations.map((d) => [d.name, d]));

/** The task's code, for the worker; undefined for a name no task has. */
export function runnableTask(name: string): AnyTaskDefinition | undefined {
  return byName.get(name);
}

export function implementedTaskNames(): string[] {
  return [...byName.keys()].sort();
}
