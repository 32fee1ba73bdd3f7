import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { dataApiUrl, outputsFile } from "../localstack/env.js";
import { localToken } from "../localstack/token.js";

/**
 * `npm run bench:tasks -- [--tasks 200] [--concurrency 20]` against the running local stack (npm run local:up):
 * enqueues echo tasks through the API and prints throughput, enqueue→done latency and Data API calls per task.
 */
const { values } = parseArgs({ options: { tasks: { type: "string", default: "200" }, concurrency: { type: "string", default: "20" } } });
const total = Number(values.tasks);
const outputs = JSON.parse(readFileSync(outputsFile, "utf8")) as Record<string, string>;
const token = await localToken({ sub: "bench", admin: true }, outputs);
const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
const call = async (path: string, init: RequestInit = {}) => (await fetch(`${outputs.apiUrl}${path}`, { ...init, headers })).json() as Promise<any>;

await fetch(`${dataApiUrl}/_admin/stats/reset`, { method: "POST" });
const started = Date.now();
const ids: string[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: Number(values.concurrency) }, async () => {
    while (next < total) {
      next += 1;
      const { id } = await call("/tasks", { method: "POST", body: JSON.stringify({ name: "diagnostics.echo", payload: { message: "bench" } }) });
      ids.push(id);
    }
  }),
);
const enqueuedIn = Date.now() - started;
// Every status read below is one Data API call of the benchmark's own; they are counted and taken off.
let reads = 0;
const finished = new Map<string, { status: string; createdAt: string; finishedAt: string }>();
while (finished.size < ids.length && Date.now() - started < 300_000) {
  for (const id of ids) {
    if (finished.has(id)) continue;
    const task = await call(`/tasks/${id}`);
    reads += 1;
    if (task.status === "succeeded" || task.status === "failed") finished.set(id, task);
  }
}
const drainedIn = Math.max(...[...finished.values()].map((t) => Date.parse(t.finishedAt))) - started;
const stats = (await (await fetch(`${dataApiUrl}/_admin/stats`)).json()) as { requests: number };
const tasks = [...finished.values()];
const succeeded = tasks.filter((t) => t.status === "succeeded");
const latencies = succeeded.map((t) => Date.parse(t.finishedAt) - Date.parse(t.createdAt)).sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
console.log(`tasks: ${succeeded.length}/${total} succeeded`);
console.log(`enqueue: ${(total / (enqueuedIn / 1000)).toFixed(1)} tasks/s through the API (${enqueuedIn} ms)`);
console.log(`throughput: ${(total / (drainedIn / 1000)).toFixed(1)} tasks/s enqueue→all done (${drainedIn} ms)`);
console.log(`latency enqueue→done: p50 ${pct(50)} ms, p95 ${pct(95)} ms`);
console.log(`Data API calls per task (enqueue + claim + complete): ${((stats.requests - reads) / total).toFixed(2)}`);
