import type { Logger } from "@aws-lambda-powertools/logger";
import type { Database } from "../core/db/database.js";
import type { PeriodicEntry } from "./periodic.js";
import { dueSlots, effectiveSchedules, type DueSlot } from "./plan.js";
import { claimSlots, loadState, recordRuns, releaseSlots, schedulesWithActiveRuns } from "./store.js";

/** What a slot of a task schedule enqueues. */
export interface SlotTask {
  task: string;
  payload: unknown;
  /** The slot's key: a retried slot enqueues its task once. */
  idempotencyKey: string;
}

export interface DispatcherDeps {
  db: Database;
  now: () => Date;
  entries: PeriodicEntry[];
  maxCatchUpMinutes: number;
  /**
   * Enqueues many slots' tasks together. Returns, per item in order, undefined when its task is
   * enqueued (or already was: same idempotency key) or the error that kept it out.
   */
  enqueue(items: readonly SlotTask[]): Promise<(Error | undefined)[]>;
  /** Starts the maintenance run for a day; a second start with the same key is a no-op. */
  startMaintenance(runKey: string): Promise<void>;
  /** Sends tasks held as `scheduled` whose time has come. */
  releaseScheduled(): Promise<number>;
  logger: Pick<Logger, "info" | "warn" | "error">;
  /** Milliseconds until the Lambda is stopped (its context's getRemainingTimeInMillis). @default no limit */
  remainingMs?: () => number;
  /** Kept back from the starts for recording, release and reconcile. @default 10,000 */
  reserveMs?: number;
  /** Slots claimed and started together at most. @default 500 */
  maxChunk?: number;
}

export interface TickReport {
  due: number;
  started: string[];
  /** Due, but another tick claimed them first. */
  skipped: number;
  /** Not started because the schedule's previous run was still active (`overlap: "skip"`). */
  overlapped: string[];
  failed: string[];
  /** Due, but left unclaimed for the next tick: this one had no time left to start them. */
  carried: number;
  released: number;
}

/** Claims older than the catch-up window can never be due again; the extra hour absorbs clock skew. */
const PRUNE_MARGIN_MINUTES = 60;
/** The first chunk, before the tick knows what a start costs here. */
const FIRST_CHUNK = 100;
/** What one start is assumed to cost until the first chunk has been measured (15 ms calls, batched: far less). */
const ASSUMED_MS_PER_START = 20;

/**
 * One beat. Any number of these may run at once (overlapping EventBridge deliveries, retries, a
 * manual invoke): the slot claim lets exactly one of them start each (schedule, slot).
 *
 * Due slots go in chunks: claim the chunk, enqueue its tasks together (one INSERT, messages ten
 * per SendMessageBatch), record the chunk. Before each chunk the tick checks its remaining time
 * against what the chunks so far cost (twice over, for safety), and claims only what it can
 * finish: the rest stays unclaimed and unrecorded, so the next tick finds it due again, under the
 * schedule's `missed` choice. Oldest slots first, and among equals the schedules that waited
 * longest, so a beat that cannot keep up still starts every schedule in turn.
 */
export async function tick(deps: DispatcherDeps): Promise<TickReport> {
  const now = deps.now();
  const started = performance.now();
  const remaining = deps.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const reserveMs = deps.reserveMs ?? 10_000;
  const maxChunk = deps.maxChunk ?? 500;
  const state = await loadState(deps.db);
  const due = dueSlots(effectiveSchedules(deps.entries, state.overrides), state.lastSlots, now, deps.maxCatchUpMinutes);
  const waitedSince = (d: DueSlot) => Date.parse(state.lastSlots[d.schedule.name] ?? "") || 0;
  const ordered = [...due].sort((a, b) => a.slot.getTime() - b.slot.getTime() || waitedSince(a) - waitedSince(b));
  const totals = { claimed: 0, done: [] as DueSlot[], overlapped: [] as DueSlot[], failures: [] as DueSlot[] };
  // Schedules (overlap: "skip") known to have a run in flight, across chunks.
  const active = new Set<string>();
  const heldAt: Record<string, number> = {};
  const pruneBefore = new Date(now.getTime() - (deps.maxCatchUpMinutes + PRUNE_MARGIN_MINUTES) * 60_000);
  let next = 0;
  let msPerStart = ASSUMED_MS_PER_START;
  let handled = 0;
  while (next < ordered.length) {
    const budget = remaining() - reserveMs;
    const size = Math.min(maxChunk, handled === 0 ? FIRST_CHUNK : maxChunk, Math.floor(budget / (2 * msPerStart)));
    if (size < 1) break;
    const chunk = ordered.slice(next, next + size);
    next += chunk.length;
    const claimed = await claimSlots(deps.db, chunk);
    totals.claimed += claimed.length;
    const { toStart, overlapped } = await withoutOverlaps(deps.db, claimed, active);
    const { done, failures } = await startAll(deps, toStart);
    for (const f of failures) heldAt[f.schedule.name] = Math.min(heldAt[f.schedule.name] ?? Infinity, f.slot.getTime());
    // Later chunks hold a schedule's later slots, so a failed slot keeps holding its last slot back.
    const advance = [...done, ...overlapped].filter((d) => d.slot.getTime() < (heldAt[d.schedule.name] ?? Infinity));
    await recordRuns(deps.db, { started: done, skipped: overlapped, advance }, pruneBefore);
    totals.done.push(...done);
    totals.overlapped.push(...overlapped);
    totals.failures.push(...failures);
    handled += chunk.length;
    msPerStart = Math.max(1, (performance.now() - started) / handled);
  }
  const released = await deps.releaseScheduled();
  const report: TickReport = {
    due: due.length,
    started: totals.done.map(slotLabel),
    skipped: handled - totals.claimed,
    overlapped: totals.overlapped.map(slotLabel),
    failed: totals.failures.map(slotLabel),
    carried: ordered.length - next,
    released,
  };
  if (report.carried > 0)
    deps.logger.warn("Tick ran out of time; the remaining due slots are left for the next tick", {
      carried: report.carried,
    });
  const busy = report.started.length > 0 || report.overlapped.length > 0 || report.failed.length > 0 || released > 0;
  if (busy)
    deps.logger.info("Tick", {
      ...report,
      started: report.started.length > 100 ? report.started.length : report.started,
    });
  return report;
}

/**
 * Starts a chunk's slots: the task slots through one bulk enqueue, maintenance one by one (one a
 * day). A slot that could not start gives its claim back, so the next tick tries it again.
 */
async function startAll(deps: DispatcherDeps, slots: DueSlot[]): Promise<{ done: DueSlot[]; failures: DueSlot[] }> {
  const done: DueSlot[] = [];
  const failures: DueSlot[] = [];
  const fail = (item: DueSlot, error: unknown) => {
    failures.push(item);
    deps.logger.error("Periodic entry could not start; its slot is released for the next tick", {
      schedule: slotLabel(item),
      error: error as Error,
    });
  };
  const tasks = slots.filter((d) => d.schedule.target.kind === "task");
  if (tasks.length > 0) {
    let errors: (Error | undefined)[];
    try {
      errors = await deps.enqueue(tasks.map(slotTask));
    } catch (error) {
      errors = tasks.map(() => error as Error);
    }
    tasks.forEach((item, i) => (errors[i] ? fail(item, errors[i]) : done.push(item)));
  }
  for (const item of slots.filter((d) => d.schedule.target.kind === "maintenance")) {
    try {
      await deps.startMaintenance(maintenanceRunKey(item.slot, item.schedule.timezone));
      done.push(item);
    } catch (error) {
      fail(item, error);
    }
  }
  await releaseSlots(deps.db, failures).catch(() => undefined);
  return { done, failures };
}

function slotTask({ schedule, key }: DueSlot): SlotTask {
  const target = schedule.target as Extract<PeriodicEntry["target"], { kind: "task" }>;
  return { task: target.task, payload: target.payload, idempotencyKey: slotIdempotencyKey(schedule.name, key) };
}

/**
 * `overlap: "skip"`: of a schedule's claimed slots, none starts while a run of it is still active,
 * and at most one (the earliest) starts per tick, since the one it starts is then active too. The
 * rest are skipped for good. Maintenance is not looked up here: its state machine already refuses
 * a second run while one is in progress, whatever the schedule says.
 */
async function withoutOverlaps(
  db: Database,
  claimed: DueSlot[],
  active: Set<string>,
): Promise<{ toStart: DueSlot[]; overlapped: DueSlot[] }> {
  const guarded = (d: DueSlot) => d.schedule.overlap === "skip" && d.schedule.target.kind === "task";
  const unknown = [...new Set(claimed.filter(guarded).map((d) => d.schedule.name))].filter((name) => !active.has(name));
  for (const name of await schedulesWithActiveRuns(db, unknown)) active.add(name);
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
 * The key of everything a slot starts: the same (schedule, wall-clock slot) always maps to the same
 * task, e.g. "schedule:reports.daily-digest:2026-11-01T07:00 Europe/Paris".
 */
export function slotIdempotencyKey(schedule: string, slotKey: string): string {
  return `schedule:${schedule}:${slotKey}`;
}

/** The slot's local date names the maintenance run: two starts for the same day start one execution. */
export function maintenanceRunKey(slot: Date, timezone: string): string {
  const day = new Intl.DateTimeFormat("en-CA", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(slot);
  return `daily-${day}`;
}

const slotLabel = ({ schedule, key }: DueSlot) => `${schedule.name}@${key}`;

/**
 * An `enqueue` for the dispatcher from a function that enqueues one task at a time: each item in
 * turn, its error kept as its outcome. For tests and for comparison; the beat uses enqueueSlotTasks.
 */
export function oneByOne(
  enqueue: (task: string, payload: unknown, idempotencyKey: string) => Promise<unknown>,
): DispatcherDeps["enqueue"] {
  return async (items) => {
    const errors: (Error | undefined)[] = [];
    for (const item of items) {
      try {
        await enqueue(item.task, item.payload, item.idempotencyKey);
        errors.push(undefined);
      } catch (error) {
        errors.push(error as Error);
      }
    }
    return errors;
  };
}
