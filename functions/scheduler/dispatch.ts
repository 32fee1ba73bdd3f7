import type { Logger } from "@aws-lambda-powertools/logger";
import type { Database } from "../core/db/database.js";
import type { PeriodicEntry } from "./periodic.js";
import { dueSlots, effectiveSchedules, type DueSlot } from "./plan.js";
import { claimSlots, loadState, recordRuns, releaseSlot } from "./store.js";

export interface DispatcherDeps {
  db: Database;
  now: () => Date;
  entries: PeriodicEntry[];
  maxCatchUpMinutes: number;
  /** Enqueues a periodic task; the idempotency key makes a retried slot enqueue it once. */
  enqueue(task: string, payload: unknown, idempotencyKey: string): Promise<void>;
  /** Starts the maintenance run for a day; a second start with the same key is a no-op. */
  startMaintenance(runKey: string): Promise<void>;
  /** Sends tasks held as `scheduled` whose time has come. */
  releaseScheduled(): Promise<number>;
  logger: Pick<Logger, "info" | "warn" | "error">;
}

export interface TickReport {
  due: number;
  started: string[];
  skipped: number;
  failed: string[];
  released: number;
}

/**
 * One beat. Any number of these may run at once (overlapping EventBridge deliveries, retries, a
 * manual invoke): the slot claim lets exactly one of them start each (schedule, slot).
 */
export async function tick(deps: DispatcherDeps): Promise<TickReport> {
  const now = deps.now();
  const state = await loadState(deps.db);
  const due = dueSlots(effectiveSchedules(deps.entries, state.overrides), state.lastSlots, now, deps.maxCatchUpMinutes);
  const claimed = await claimSlots(deps.db, due);
  const done: DueSlot[] = [];
  const failed: string[] = [];
  for (const item of claimed) {
    const label = `${item.schedule.name}@${item.slot.toISOString()}`;
    try {
      await start(deps, item);
      done.push(item);
    } catch (error) {
      failed.push(label);
      deps.logger.error("Periodic entry could not start; its slot is released for the next tick", { schedule: label, error: error as Error });
      await releaseSlot(deps.db, item.schedule.name, item.slot).catch(() => undefined);
    }
  }
  await recordRuns(deps.db, done);
  const released = await deps.releaseScheduled();
  const report = { due: due.length, started: done.map((d) => `${d.schedule.name}@${d.slot.toISOString()}`), skipped: due.length - claimed.length, failed, released };
  if (report.started.length > 0 || failed.length > 0 || released > 0) deps.logger.info("Tick", { ...report });
  return report;
}

async function start(deps: DispatcherDeps, { schedule, slot }: DueSlot): Promise<void> {
  const target = schedule.target;
  if (target.kind === "maintenance") {
    // The slot's local date names the run: two starts for the same day start one execution.
    const day = new Intl.DateTimeFormat("en-CA", { timeZone: schedule.timezone, year: "numeric", month: "2-digit", day: "2-digit" }).format(slot);
    await deps.startMaintenance(`daily-${day}`);
    return;
  }
  await deps.enqueue(target.task, target.payload, `schedule:${schedule.name}:${slot.toISOString()}`);
}
