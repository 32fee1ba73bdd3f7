import { migrate } from "../functions/setup/migrate.js";
import { migrations } from "../functions/setup/migrations/index.js";
import { tick } from "../functions/scheduler/dispatch.js";
import type { PeriodicEntry } from "../functions/scheduler/periodic.js";
import { dueSlots, effectiveSchedules } from "../functions/scheduler/plan.js";
import { enqueueTask, releaseScheduledTasks } from "../functions/tasks/index.js";
import { startTestDatabase } from "../test/support/local-database.js";
import { testTaskDeps } from "../test/support/task-deps.js";

/**
 * `npm run bench:dispatcher -- [count]`: how long one beat takes with N schedules (goal: evaluating
 * 10,000 in under a second) and how many Data API calls a tick costs. The ticks run the production
 * code path (state read, claim, the tasks module's enqueue and release, record) against an embedded
 * PostgreSQL behind the Data API stand-in, whose request counter gives the calls; SQS is recorded,
 * not sent.
 */
const count = Number(process.argv[2] ?? 10_000);
const patterns = ["* * * * *", "*/5 * * * *", "0 * * * *", "30 3 * * *", "0 9 * * 1-5", "15 */2 * * *", "0 0 1 * *"];
const zones = ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney"];
const entries: PeriodicEntry[] = Array.from({ length: count }, (_, i) => ({
  name: `bench.${i}`,
  cron: patterns[i % patterns.length] as string,
  timezone: zones[i % zones.length] as string,
  enabled: i % 10 !== 0,
  description: "",
  target: { kind: "task", task: "diagnostics.echo", payload: { message: String(i) } },
}));

const time = async <T>(work: () => Promise<T> | T): Promise<[T, number]> => {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
};
const ms = (n: number) => `${n.toFixed(0)} ms`;

// A weekday 09:00 UTC: every-minute, every-5-minutes, hourly and the 09:00-in-UTC entries are due together.
const now = new Date("2026-06-01T09:00:07Z");
const schedules = effectiveSchedules(entries, []);
const [dueCold, coldMs] = await time(() => dueSlots(schedules, {}, now, 60));
const [, warmMs] = await time(() => dueSlots(schedules, {}, now, 60));
console.log(`evaluate ${count} schedules: ${ms(coldMs)} cold (patterns compiled), ${ms(warmMs)} warm; ${dueCold.length} due`);

const t = await startTestDatabase();
await migrate(t.db, migrations);
const { deps: taskDeps, sent } = testTaskDeps(t.db);
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const deps = (at: Date) => ({
  db: t.db,
  now: () => at,
  entries,
  maxCatchUpMinutes: 60,
  logger: silent,
  enqueue: async (task: string, payload: unknown, idempotencyKey: string) => {
    await enqueueTask(taskDeps, { name: task, payload, idempotencyKey, createdBy: "scheduler" });
  },
  startMaintenance: async () => undefined,
  releaseScheduled: () => releaseScheduledTasks(taskDeps),
});

async function measuredTick(label: string, at: Date) {
  t.server.resetStats();
  const [report, took] = await time(() => tick(deps(at)));
  const calls = t.server.stats().requests;
  const perEnqueue = report.started.length > 0 ? ` = 4 + ${report.started.length} enqueues` : "";
  console.log(`${label}: ${report.started.length} started, ${ms(took)}, ${calls} Data API calls${perEnqueue}`);
}

await measuredTick("busy tick (first of the minute)", now);
console.log(`  SQS messages recorded: ${sent().length}`);
await measuredTick("repeated tick in the same minute", new Date(now.getTime() + 20_000));
await measuredTick("next minute", new Date(now.getTime() + 60_000));
await measuredTick("repeated tick in the next minute", new Date(now.getTime() + 80_000));
await t.close();
