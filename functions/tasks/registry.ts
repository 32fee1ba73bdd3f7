import type { AnyTaskDeclaration } from "./definition.js";
import { diagnosticsEchoTask } from "./declarations/diagnostics-echo.js";
import { expireIdempotencyKeysTask } from "./declarations/housekeeping-expire-idempotency-keys.js";
import { dailyDigestTask } from "./declarations/reports-daily-digest.js";
import { taskStatsReportTask } from "./declarations/reports-task-stats.js";
import { diagnosticsLongEchoTask } from "./declarations/diagnostics-long-echo.js";
import { diagnosticsRunawayTask } from "./declarations/diagnostics-runaway.js";
import { notificationsSendTask } from "./declarations/notifications-send.js";

/**
 * Every task the app knows, like Celery's autodiscovered tasks: one line per declaration. This is
 * what the API and the beat check requests against; the worker's code for each task is listed in
 * implementations.ts.
 */
export const taskDeclarations: readonly AnyTaskDeclaration[] = [
  diagnosticsEchoTask,
  expireIdempotencyKeysTask,
  dailyDigestTask,
  taskStatsReportTask,
  diagnosticsLongEchoTask,
  diagnosticsRunawayTask,
  notificationsSendTask,
];

export const taskRegistry: ReadonlyMap<string, AnyTaskDeclaration> = new Map(taskDeclarations.map((d) => [d.name, d]));

/** A declared task by name (own entries only: "__proto__" names no task). */
export function getTask(name: string): AnyTaskDeclaration | undefined {
  return taskRegistry.get(name);
}

export function taskNames(): string[] {
  return [...taskRegistry.keys()].sort();
}
