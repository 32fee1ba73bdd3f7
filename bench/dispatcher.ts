import { migrate } from "../functions/setup/migrate.js";
import { migrations } from "../functions/setup/migrations/index.js";
import { tick } from "../functions/scheduler/dispatch.js";
import type { PeriodicEntry } from "../functions/scheduler/periodic.js";
import { dueSlots, effectiveSchedules } from "../functions/scheduler/plan.js";
import { startTestDatabase } from "../test/support/local-database.js";

/**
 * `npm run bench:dispatcher -- [count]`: how long one beat takes to evaluate N schedules (goal: 10,000 in
 * under a second) and how many Data API calls a tick costs, on an embedded database behind the Data API stand-in.
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

const now = new Date("2026-06-01T09:00:07Z");
const schedules = effectiveSchedules(entries, []);
const [dueCold, coldMs] = await time(() => dueSlots(schedules, {}, now, 60));
const [, warmMs] = await time(() => dueSlots(schedules, {}, now, 60));
console.log(`evaluate ${count} schedules: ${coldMs.toFixed(0)} ms cold (patterns compiled), ${warmMs.toFixed(0)} ms warm; ${dueCold.length} due`);

const t = await startTestDatabase();
await migrate(t.db, migrations);
let enqueued = 0;
const deps = (at: Date) => ({
  db: t.db,
  now: () => at,
  entries,
  maxCatchUpMinutes: 60,
  logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  enqueue: async () => {
    enqueued += 1;
  },
  startMaintenance: async () => undefined,
  releaseScheduled: async () => 0,
});
t.server.resetStats();
const [first, firstMs] = await time(() => tick(deps(now)));
const firstCalls = t.server.stats().requests;
t.server.resetStats();
const [second, secondMs] = await time(() => tick(deps(new Date(now.getTime() + 20_000))));
const secondCalls = t.server.stats().requests;
console.log(`tick with ${first.started.length} slots due: ${firstMs.toFixed(0)} ms, ${firstCalls} Data API calls (+1 per task enqueued, ${enqueued} here, counted apart)`);
console.log(`repeated tick in the same minute: ${second.started.length} started, ${secondMs.toFixed(0)} ms, ${secondCalls} Data API calls`);
await t.close();
