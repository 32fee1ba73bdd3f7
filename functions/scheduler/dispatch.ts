import type { Logger } from "@aws-lambda-powertools/logger";
import type { Database } from "../core/db/database.js";
import type { PeriodicEntry } from "./periodic.js";
import { dueSlots, effectiveSchedules, type DueSlot } from "./plan.js";
import { claimSlots, loadState, recordRuns, releaseSlot, schedulesWithActiveRuns } from "./store.js";

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
  /** Starts in flight at once, so a tick with many due slots ends well inside the Lambda timeout. @default 8 */
  startConcurrency?: number;
}

export interface TickReport {
  due: number;
  started: string[];
  /** Due, but another tick claimed them first. */
  skipped: number;
  /** Not started because the schedule's previous run was still active (`overlap: "skip"`). */
  overlapped: string[];
  failed: string[];
  released: number;
}

/** Claims older than the catch-up window can never be due again; the extra hour absorbs clock skew. */
const PRUNE_MARGIN_MINUTES = 60;

/**
 * One beat. Any number of these may run at once (overlapping EventBridge deliveries, retries, a
 * manual invoke): the slot claim lets exactly one of them start each (schedule, slot).
 */
export async function tick(deps: DispatcherDeps): Promise<TickReport> {
  const now = deps.now();
  const state = await loadState(deps.db);
  const due = dueSlots(effectiveSchedules(deps.entries, state.overrides), state.lastSlots, now, deps.maxCatchUpMinutes);
  const claimed = await claimSlots(deps.db, due);
  const { toStart, overlapped } = await withoutOverlaps(deps.db, claimed);
  const done: DueSlot[] = [];
  const failures: DueSlot[] = [];
  await forEachLimited(toStart, deps.startConcurrency ?? 8, async (item) => {
    try {
      await start(deps, item);
      done.push(item);
    } catch (error) {
      failures.push(item);
      deps.logger.error("Periodic entry could not start; its slot is released for the next tick", { schedule: slotLabel(item), error: error as Error });
      await releaseSlot(deps.db, item.schedule.name, item.key).catch(() => undefined);
    }
  });
  const holdAt = heldBack(failures);
  const advance = [...done, ...overlapped].filter((d) => d.slot.getTime() < (holdAt[d.schedule.name] ?? Infinity));
  await recordRuns(
    deps.db,
    { started: done, skipped: overlapped, advance },
    new Date(now.getTime() - (deps.maxCatchUpMinutes + PRUNE_MARGIN_MINUTES) * 60_000),
  );
  const released = await deps.releaseScheduled();
  const report = {
    due: due.length,
    started: done.map(slotLabel),
    skipped: due.length - claimed.length,
    overlapped: overlapped.map(slotLabel),
    failed: failures.map(slotLabel),
    released,
  };
  if (report.started.length > 0 || report.overlapped.length > 0 || report.failed.length > 0 || released > 0) deps.logger.info("Tick", { ...report });
  return report;
}

/**
 * `overlap: "skip"`: of a schedule's claimed slots, none starts while a run of it is still active,
 * and at most one (the earliest) starts per tick, since the one it starts is then active too. The
 * rest are skipped for good. Maintenance is not looked up here: its state machine already refuses
 * a second run while one is in progress, whatever the schedule says.
 */
async function withoutOverlaps(db: Database, claimed: DueSlot[]): Promise<{ toStart: DueSlot[]; overlapped: DueSlot[] }> {
  const guarded = (d: DueSlot) => d.schedule.overlap === "skip" && d.schedule.target.kind === "task";
  const active = await schedulesWithActiveRuns(db, [...new Set(claimed.filter(guarded).map((d) => d.schedule.name))]);
  const toStart: DueSlot[] = [];
  const overlapped: DueSlot[] = [];
  for (const item of [...claimed].sort((a, b) => a.slot.getTime() - b.slot.getTime())) {
    if (guarded(item) && active.has(item.schedule.name)) {
      overlapped.push(item);
      continue;
    }
    if (guarded(item)) active.add(item.schedule.name);
    toStart.push(item);
  }
  return { toStart, overlapped };
}

/**
 * Per schedule, the earliest slot that failed to start. Its last slot must not move past it, or a
 * tick with `missed: "all"` that started a later slot would never find the failed one again.
 */
function heldBack(failures: DueSlot[]): Record<string, number> {
  const earliest: Record<string, number> = {};
  for (const f of failures) earliest[f.schedule.name] = Math.min(earliest[f.schedule.name] ?? Infinity, f.slot.getTime());
  return earliest;
}

/**
 * The key of everything a slot starts: the same (schedule, wall-clock slot) always maps to the same
 * task, e.g. "schedule:reports.daily-digest:2026-11-01T07:00 Europe/Paris".
 */
export function slotIdempotencyKey(schedule: string, slotKey: string): string {
  return `schedule:${schedule}:${slotKey}`;
}

/** The slot's local date names the maintenance run: two starts for the same day start one execution. */
export function maintenanceRunKey(slot: Date, timezone: string): string {
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" }).format(slot);
  return `daily-${day}`;
}

async function start(deps: DispatcherDeps, { schedule, slot, key }: DueSlot): Promise<void> {
  const target = schedule.target;
  if (target.kind === "maintenance") return deps.startMaintenance(maintenanceRunKey(slot, schedule.timezone));
  return deps.enqueue(target.task, target.payload, slotIdempotencyKey(schedule.name, key));
}

const slotLabel = ({ schedule, key }: DueSlot) => `${schedule.name}@${key}`;

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
