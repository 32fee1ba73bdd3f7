import type { TaskDefinition } from "./definition.js";
import { diagnosticsEcho } from "./definitions/diagnostics-echo.js";
import { expireIdempotencyKeys } from "./definitions/housekeeping-expire-idempotency-keys.js";
import { dailyDigest } from "./definitions/reports-daily-digest.js";
import { taskStatsReport } from "./definitions/reports-task-stats.js";

/** Every task the app knows, like Celery's autodiscovered tasks: one line per definition. */
const definitions: TaskDefinition<any, any>[] = [diagnosticsEcho, expireIdempotencyKeys, dailyDigest, taskStatsReport];

export const taskRegistry: ReadonlyMap<string, TaskDefinition<any, any>> = new Map(definitions.map((d) => [d.name, d]));

export function getTask(name: string): TaskDefinition<any, any> | undefined {
  return taskRegistry.get(name);
}

export function taskNames(): string[] {
  return [...taskRegistry.keys()].sort();
}
