import { randomUUID } from "node:crypto";
import type { PeriodicEntry } from "./periodic.js";

export interface RunNowDeps {
  /** Enqueues the entry's task in the system's scope, as the beat does. */
  enqueue(task: string, payload: unknown, idempotencyKey: string): Promise<{ id: string; status: string }>;
  /** Starts a maintenance run; throws ConflictError (409) while one is in progress. */
  startMaintenance(): Promise<{ runId: string; eventId: string }>;
  newId?: () => string;
}

export type RunNowResult =
  | { schedule: string; kind: "task"; taskId: string; status: string; idempotencyKey: string }
  | { schedule: string; kind: "maintenance"; runId: string; eventId: string };

/**
 * "Run now": one extra run of a periodic entry, outside its slots. Its idempotency key is its own
 * (`schedule:<name>:manual:<uuid>`), so it never collides with a slot's key and a slot's run still
 * happens; it does not move the schedule's last slot. A disabled entry can be run by hand.
 */
export async function runScheduleNow(deps: RunNowDeps, entry: PeriodicEntry): Promise<RunNowResult> {
  if (entry.target.kind === "maintenance") {
    const run = await deps.startMaintenance();
    return { schedule: entry.name, kind: "maintenance", runId: run.runId, eventId: run.eventId };
  }
  const idempotencyKey = manualRunKey(entry.name, (deps.newId ?? randomUUID)());
  const task = await deps.enqueue(entry.target.task, entry.target.payload, idempotencyKey);
  return { schedule: entry.name, kind: "task", taskId: task.id, status: task.status, idempotencyKey };
}

export const manualRunKey = (schedule: string, id: string) => `schedule:${schedule}:manual:${id}`;
