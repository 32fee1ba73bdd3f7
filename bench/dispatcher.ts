import { Database } from "../functions/core/db/database.js";
import { oneByOne, tick, type DispatcherDeps } from "../functions/scheduler/dispatch.js";
import { enqueueSlotTasks } from "../functions/scheduler/enqueue-slots.js";
import type { PeriodicEntry } from "../functions/scheduler/periodic.js";
import { dueSlots, effectiveSchedules } from "../functions/scheduler/plan.js";
import { enqueueTask, releaseScheduledTasks } from "../functions/tasks/index.js";
import type { TaskDeps } from "../functions/tasks/deps.js";
import { startScratchDatabase } from "../localstack/scratch-database.js";
import { benchQueues, fakeSqs } from "./support/sqs-fake.js";

/**
 * `npx tsx bench/dispatcher.ts [latencyMs]`: what one beat costs, each figure beside its peer.
 *
 * 1. Evaluating 10,000 schedules with 10,000 distinct patterns, cold (first tick of a fresh
 *    process) and warm; beside it, 10,000 schedules sharing 7 patterns.
 * 2. A tick that starts 4,000 slots through the real enqueue path (the Data API stand-in over a
 *    throwaway PostgreSQL, an SQS fake), every Data API and SQS call delayed by `latencyMs`
 *    (default 15, a round trip inside a region), against a 50 s timeout: time, calls, and how much
 *    was carried over. Its peer: the same tick enqueueing one task at a time (the old path).
 * 3. The same tick given only 3 s: it starts what fits and carries the rest over, and the next tick
 *    starts the rest.
 */
const latencyMs = Number(process.argv[2] ?? 15);
const TIMEOUT_MS = 50_000;
const zones = ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney"];
const echo = (i: number) => ({ kind: "task" as const, task: "diagnostics.echo", payload: { message: String(i) } });
/** Distinct patterns: minute, hour and day of month vary, plus steps and weekday lists. */
const distinct = (i: number) =>
  i % 2 === 0
    ? `${i % 60} ${Math.floor(i / 60) % 24} ${1 + (Math.floor(i / 1440) % 28)} * *`
    : `${i % 60} */${1 + (i % 12)} * * ${i % 7}`;
const shared = ["* * * * *", "*/5 * * * *", "0 * * * *", "30 3 * * *", "0 9 * * 1-5", "15 */2 * * *", "0 0 1 * *"];
const schedule = (i: number, cron: string): PeriodicEntry => ({
  name: `bench.${i}`,
  cron,
  timezone: zones[i % zones.length] as string,
  enabled: true,
  description: "",
  target: echo(i),
});
const ms = (n: number) => `${n.toFixed(0)} ms`;
const time = async <T>(work: () => Promise<T> | T): Promise<[T, number]> => {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
};

// 1. Evaluation. Cold first, in a process that has compiled nothing yet.
const now = new Date("2026-06-01T09:00:07Z");
const distinctSchedules = effectiveSchedules(
  Array.from({ length: 10_000 }, (_, i) => schedule(i, distinct(i))),
  [],
);
const sharedSchedules = effectiveSchedules(
  Array.from({ length: 10_000 }, (_, i) => schedule(i, shared[i % shared.length] as string)),
  [],
);
const [distinctDue, distinctCold] = await time(() => dueSlots(distinctSchedules, {}, now, 60));
const [, distinctWarm] = await time(() => dueSlots(distinctSchedules, {}, now, 60));
const [sharedDue, sharedCold] = await time(() => dueSlots(sharedSchedules, {}, now, 60));
const [, sharedWarm] = await time(() => dueSlots(sharedSchedules, {}, now, 60));
console.log(
  `evaluate 10,000 schedules, distinct patterns: ${ms(distinctCold)} cold, ${ms(distinctWarm)} warm (${distinctDue.length} due)`,
);
console.log(
  `                            7 shared patterns: ${ms(sharedCold)} cold, ${ms(sharedWarm)} warm (${sharedDue.length} due)`,
);

// 2. The 4,000-slot tick, with latency on every call.
// A throwaway PostgreSQL cluster when one is installed (else embedded PGlite), migrated, behind the Data API stand-in.
const t = await startScratchDatabase({ startPostgres: true, migrated: true });
const delay = () => new Promise((resolve) => setTimeout(resolve, latencyMs));
const counts = { data: 0, sqs: 0 };
/** Every call waits `latencyMs` before it goes: a wrapper around the client's send. */
function withLatency<C extends { send: (...args: never[]) => Promise<unknown> }>(
  client: C,
  counter: "data" | "sqs",
): C {
  const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as { send: unknown }).send = async (...args: unknown[]) => {
    counts[counter] += 1;
    await delay();
    return send(...args);
  };
  return client;
}
const dataClient = withLatency(
  (t.db as unknown as { client: ConstructorParameters<typeof Database>[0] }).client,
  "data",
);
const db = new Database(dataClient, (t.db as unknown as { target: ConstructorParameters<typeof Database>[1] }).target);
const { sqs } = fakeSqs();
withLatency(sqs, "sqs");
const taskDeps: TaskDeps = { db, sqs, queues: benchQueues, now: () => new Date() };
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const minutely = Array.from({ length: 4_000 }, (_, i) => schedule(i, "* * * * *"));

async function measuredTick(label: string, at: Date, enqueue: DispatcherDeps["enqueue"], budgetMs = TIMEOUT_MS) {
  counts.data = 0;
  counts.sqs = 0;
  const started = performance.now();
  const report = await tick({
    db,
    now: () => at,
    entries: minutely,
    maxCatchUpMinutes: 60,
    logger: silent,
    enqueue,
    startMaintenance: () => Promise.resolve(),
    releaseScheduled: () => releaseScheduledTasks(taskDeps),
    remainingMs: () => budgetMs - (performance.now() - started),
    reserveMs: Math.min(10_000, budgetMs / 5),
  });
  const took = performance.now() - started;
  console.log(
    `${label}: ${report.started.length} started, ${report.carried} carried over, ${ms(took)} ` +
      `(${((took / TIMEOUT_MS) * 100).toFixed(0)}% of the ${TIMEOUT_MS / 1000} s timeout), ` +
      `${counts.data} Data API + ${counts.sqs} SQS calls`,
  );
  return report;
}

const bulk = enqueueSlotTasks(taskDeps);
const sequential = oneByOne(async (task, payload, idempotencyKey) => {
  await enqueueTask(taskDeps, { name: task, payload, idempotencyKey, createdBy: "scheduler" });
});
console.log(`\n4,000 due slots, ${latencyMs} ms on every Data API and SQS call:`);
await measuredTick("  bulk path (chunks, one INSERT each, SendMessageBatch)", new Date("2026-06-01T10:00:05Z"), bulk);
await measuredTick(
  "  peer: one task at a time (INSERT + SendMessage each)",
  new Date("2026-06-01T10:01:05Z"),
  sequential,
);

console.log("\nThe bulk tick given 0.6 s instead of 50 s (what is left carries over), then the next tick:");
await measuredTick("  short tick", new Date("2026-06-01T10:02:05Z"), bulk, 600);
await measuredTick("  next tick, same minute", new Date("2026-06-01T10:02:35Z"), bulk);
const rows = await t.db.first<{ n: number; keys: number }>(
  "SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM tasks",
);
console.log(`  tasks stored: ${rows?.n} for ${rows?.keys} distinct slot keys (no slot enqueued twice)`);
await t.close();
