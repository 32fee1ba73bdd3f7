/**
 * `npm run bench:tasks -- [--tasks 100] [--concurrency 10] [--rounds 2] [--warmup 20]` against the running local
 * stack (`npm run local:up` first). It enqueues diagnostics.echo tasks two ways in the same run, single
 * POST /tasks (`--concurrency` requests in flight) and POST /tasks/batch (up to 100 per request), and
 * prints for each, side by side:
 *
 * - enqueue latency: the POST round trip, and what it costs per task (a batch's round trip ÷ its size);
 * - queue wait (created_at → started_at), claim→complete (started_at → finished_at) and end to end
 *   (POST sent → finished_at), p50/p95, read from the task rows;
 * - throughput: tasks finished per second, from the first POST to the last finish;
 * - Data API calls per task, in all and while enqueueing.
 *
 * What it leaves out: a warm-up round of both shapes runs first and is not counted, so the emulator's
 * Lambda cold starts do not land in the figures. Only the ids this run enqueued are read, so the beat's
 * minutely heartbeat tasks are not counted. The Data API stand-in counts calls per operation, not per
 * caller: each window's count is checked for beat ticks and other tasks' work, and said to be mixed when
 * it is. Rounds alternate which shape goes first (the two share 2 busy cores, so compare them, not
 * absolute times). The bench's own reads go straight to the stand-in, one call per poll, counted and
 * taken off. A failed request ends the bench at once with its status and body, and a non-zero exit.
 */
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { parseArgs } from "node:util";
import * as z from "zod";
import { Database } from "../functions/core/db/database.js";
import { json } from "../functions/core/db/parameters.js";
import { dataApiUrl, localDatabase } from "../localstack/env.js";
import { localToken } from "../localstack/token.js";
import { localApi, localOutputs, requestJson, runBench } from "./support/http.js";

type Shape = "single" | "batch";

/** A task's times as the database recorded them, in epoch milliseconds (the database's clock). */
interface FinishedTask {
  id: string;
  status: string;
  createdMs: number;
  startedMs: number | null;
  finishedMs: number;
}

/** One round of one shape: what the client saw, what the rows say, and the stand-in's counts around it. */
interface Phase {
  shape: Shape;
  tasks: number;
  /** Per request: round trip and how many tasks it carried. */
  requests: { ms: number; size: number }[];
  enqueueMs: number;
  /** POST sent time (client clock) per task id. */
  sentAt: Map<string, number>;
  finished: FinishedTask[];
  firstSentMs: number;
  dataCalls: { enqueue: number; run: number };
  /** Why a window's Data API count includes work that is not this phase's; empty when clean. */
  mixed: { enqueue: string[]; run: string[] };
}

const MAX_BATCH = 100;
const POLL_MS = 200;
/**
 * After its last task finishes, a phase waits this long before closing its Data API window: a worker's
 * calls after the finishing write (its queue slot given back) land in this phase, not the next.
 */
const SETTLE_MS = 1_500;

const enqueued = z.object({ id: z.string(), status: z.string(), duplicate: z.boolean() });
const batchEnqueued = z.object({ tasks: z.array(enqueued) });
const dataApiStats = z.object({ requests: z.number(), byOperation: z.record(z.string(), z.number()) });

runBench(async () => {
  const { values } = parseArgs({
    options: {
      tasks: { type: "string", default: "100" },
      concurrency: { type: "string", default: "10" },
      rounds: { type: "string", default: "2" },
      warmup: { type: "string" },
      timeout: { type: "string", default: "300" },
    },
  });
  const total = positive("--tasks", values.tasks);
  const concurrency = positive("--concurrency", values.concurrency);
  const rounds = positive("--rounds", values.rounds);
  // Enough to keep every request slot busy twice over: each one in flight may start an API Lambda of its own.
  const warmup = positive("--warmup", values.warmup ?? String(Math.max(20, 2 * concurrency)));
  const timeoutMs = positive("--timeout", values.timeout) * 1000;

  const outputs = localOutputs();
  const api = localApi(outputs.apiUrl, await localToken({ sub: "bench", admin: true }, outputs));
  // The bench's own reader, straight to the stand-in; one attempt per call so the stand-in's count matches ours.
  const db = new Database(
    new RDSDataClient({
      endpoint: dataApiUrl,
      region: "us-east-1",
      credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
      maxAttempts: 1,
    }),
    {
      resourceArn: localDatabase.DB_CLUSTER_ARN,
      secretArn: localDatabase.DB_SECRET_ARN,
      database: localDatabase.DB_NAME,
    },
  );
  let ownCalls = 0;
  const own = <T>(work: Promise<T>) => {
    ownCalls += 1;
    return work;
  };
  const stats = () => requestJson(dataApiStats, `${dataApiUrl}/_admin/stats`);

  /** Enqueues `count` tasks in one shape; the payload marks the run so its rows are easy to find by hand. */
  async function enqueue(shape: Shape, count: number, tag: string) {
    const task = (i: number) => ({ name: "diagnostics.echo", payload: { message: `bench ${tag} ${i}` } });
    const requests: Phase["requests"] = [];
    const sentAt = new Map<string, number>();
    const started = Date.now();
    if (shape === "single") {
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(concurrency, count) }, async () => {
          while (next < count) {
            const i = next++;
            const sent = Date.now();
            const { id } = await api.post(enqueued, "/tasks", task(i));
            requests.push({ ms: Date.now() - sent, size: 1 });
            sentAt.set(id, sent);
          }
        }),
      );
    } else {
      for (let from = 0; from < count; from += MAX_BATCH) {
        const items = Array.from({ length: Math.min(MAX_BATCH, count - from) }, (_, k) => task(from + k));
        const sent = Date.now();
        const { tasks } = await api.post(batchEnqueued, "/tasks/batch", { tasks: items });
        if (tasks.length !== items.length)
          throw new Error(`POST /tasks/batch answered ${tasks.length} tasks for ${items.length}`);
        requests.push({ ms: Date.now() - sent, size: items.length });
        for (const t of tasks) sentAt.set(t.id, sent);
      }
    }
    const fresh = [...sentAt.keys()].length;
    if (fresh !== count) throw new Error(`${count} tasks enqueued but ${fresh} distinct ids came back`);
    return { requests, sentAt, enqueueMs: Date.now() - started, firstSentMs: started };
  }

  /** Polls the rows of `ids` until every one has finished; one Data API call per poll. */
  async function finishedRows(ids: string[], deadline: number): Promise<FinishedTask[]> {
    const done = new Map<string, FinishedTask>();
    while (done.size < ids.length) {
      const waiting = ids.filter((id) => !done.has(id));
      if (Date.now() > deadline) {
        const open = await own(
          db.rows<{ status: string; n: number }>(
            "SELECT status, count(*)::int AS n FROM tasks WHERE id IN (SELECT jsonb_array_elements_text(:ids)::uuid) GROUP BY status",
            { ids: json(waiting) },
          ),
        );
        throw new Error(
          `${waiting.length} of ${ids.length} tasks unfinished after ${timeoutMs / 1000} s: ${JSON.stringify(open)}`,
        );
      }
      const rows = await own(
        db.rows<FinishedTask>(
          `SELECT id::text AS id, status,
                (extract(epoch FROM created_at) * 1000)::float8 AS "createdMs",
                (extract(epoch FROM started_at) * 1000)::float8 AS "startedMs",
                (extract(epoch FROM finished_at) * 1000)::float8 AS "finishedMs"
           FROM tasks
          WHERE id IN (SELECT jsonb_array_elements_text(:ids)::uuid) AND status IN ('succeeded', 'failed', 'cancelled')`,
          { ids: json(waiting) },
        ),
      );
      for (const row of rows) done.set(row.id, row);
      if (done.size < ids.length) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return [...done.values()];
  }

  /**
   * What else used the database between `from` and `to`: the beat's ticks (each claims its minute's
   * heartbeat slot) and other tasks created, started or finished then. Empty means every counted call was ours.
   */
  async function othersBetween(from: number, to: number, ids: string[]): Promise<string[]> {
    const row = await own(
      db.first<{ ticks: number; others: number }>(
        `SELECT (SELECT count(*)::int FROM schedule_slots WHERE claimed_at BETWEEN :fromAt AND :toAt) AS ticks,
              (SELECT count(*)::int FROM tasks
                WHERE id NOT IN (SELECT jsonb_array_elements_text(:ids)::uuid)
                  AND (created_at BETWEEN :fromAt AND :toAt OR started_at BETWEEN :fromAt AND :toAt
                       OR finished_at BETWEEN :fromAt AND :toAt)) AS others`,
        // Slack for the client's and the database's clocks being read at slightly different moments.
        { fromAt: new Date(from - 200), toAt: new Date(to + 200), ids: json(ids) },
      ),
    );
    const reasons: string[] = [];
    if (row && row.ticks > 0) reasons.push(`${row.ticks} beat slot claim(s)`);
    if (row && row.others > 0) reasons.push(`${row.others} other task(s)`);
    return reasons;
  }

  async function phase(shape: Shape, count: number, tag: string): Promise<Phase> {
    const before = await stats();
    const sent = await enqueue(shape, count, tag);
    const enqueuedStats = await stats();
    const enqueueEnd = Date.now();
    const ids = [...sent.sentAt.keys()];
    const ownBefore = ownCalls;
    const finished = await finishedRows(ids, Date.now() + timeoutMs);
    const ownDuring = ownCalls - ownBefore;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const after = await stats();
    const end = Date.now();
    const mixed = {
      enqueue: await othersBetween(sent.firstSentMs, enqueueEnd, ids),
      run: await othersBetween(enqueueEnd, end, ids),
    };
    return {
      shape,
      tasks: count,
      ...sent,
      finished,
      dataCalls: {
        enqueue: enqueuedStats.requests - before.requests,
        run: after.requests - enqueuedStats.requests - ownDuring,
      },
      mixed,
    };
  }

  const runTag = Date.now().toString(36);
  console.log(
    `warm-up (not counted): ${warmup} tasks each way, so the emulator's Lambdas are started before the measured rounds`,
  );
  await phase("single", warmup, `${runTag} warm-up`);
  await phase("batch", warmup, `${runTag} warm-up`);

  const phases: Phase[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which shape goes first, so neither always meets the queue the other left behind.
    const order: Shape[] = round % 2 === 0 ? ["single", "batch"] : ["batch", "single"];
    for (const shape of order) {
      const done = await phase(shape, total, `${runTag} r${round} ${shape}`);
      phases.push(done);
      const failed = done.finished.filter((t) => t.status !== "succeeded").length;
      console.log(
        `round ${round + 1} ${shape.padEnd(6)}: ${total - failed}/${total} succeeded, enqueued in ${done.enqueueMs} ms, ` +
          `throughput ${throughput(done).toFixed(1)} tasks/s`,
      );
    }
  }
  report(phases, total, concurrency);
  const failed = phases.flatMap((p) => p.finished).filter((t) => t.status !== "succeeded");
  if (failed.length > 0) {
    const some = failed.slice(0, 5).map((t) => `${t.id} ${t.status}`);
    throw new Error(`${failed.length} measured task(s) did not succeed: ${some.join(", ")}`);
  }
});

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${flag} takes a whole number above 0, not ${JSON.stringify(text)}`);
  return n;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Tasks finished per second, from this phase's first POST to its last finish. */
function throughput(p: Phase): number {
  const last = Math.max(...p.finished.map((t) => t.finishedMs));
  return p.tasks / ((last - p.firstSentMs) / 1000);
}

function report(phases: Phase[], total: number, concurrency: number): void {
  const of = (shape: Shape) => phases.filter((p) => p.shape === shape);
  const tasksOf = (shape: Shape) =>
    of(shape).flatMap((p) => p.finished.map((t) => ({ ...t, sentMs: p.sentAt.get(t.id) ?? Number.NaN })));
  const p50p95 = (values: number[]) => `${percentile(values, 50).toFixed(0)} / ${percentile(values, 95).toFixed(0)} ms`;
  const rows: [string, (shape: Shape) => string][] = [
    [
      "requests (tasks each)",
      (s) => `${of(s).reduce((n, p) => n + p.requests.length, 0)} (${of(s)[0]?.requests[0]?.size ?? 0})`,
    ],
    ["enqueue round trip p50 / p95", (s) => p50p95(of(s).flatMap((p) => p.requests.map((r) => r.ms)))],
    [
      "enqueue cost per task p50",
      (s) =>
        `${percentile(
          of(s).flatMap((p) => p.requests.map((r) => r.ms / r.size)),
          50,
        ).toFixed(1)} ms`,
    ],
    [
      "enqueue wall time per task",
      (s) => `${(sum(of(s).map((p) => p.enqueueMs)) / sum(of(s).map((p) => p.tasks))).toFixed(1)} ms`,
    ],
    [
      "queue wait p50 / p95",
      (s) => p50p95(tasksOf(s).flatMap((t) => (t.startedMs === null ? [] : [t.startedMs - t.createdMs]))),
    ],
    [
      "claim→complete p50 / p95",
      (s) => p50p95(tasksOf(s).flatMap((t) => (t.startedMs === null ? [] : [t.finishedMs - t.startedMs]))),
    ],
    ["end to end p50 / p95", (s) => p50p95(tasksOf(s).map((t) => t.finishedMs - t.sentMs))],
    [
      "throughput per round",
      (s) =>
        of(s)
          .map((p) => throughput(p).toFixed(1))
          .join(", ") + " tasks/s",
    ],
    ["Data API calls/task, all", (s) => callsPerTask(of(s), ["enqueue", "run"])],
    ["  of which while enqueueing", (s) => callsPerTask(of(s), ["enqueue"])],
  ];
  console.log(
    `\n${total} tasks per round, ${of("single").length} round(s) each; single POSTs ${concurrency} in flight, batches up to ${MAX_BATCH}`,
  );
  console.log(`${"".padEnd(30)}${"POST /tasks".padEnd(26)}POST /tasks/batch`);
  for (const [label, cell] of rows) console.log(`${label.padEnd(30)}${cell("single").padEnd(26)}${cell("batch")}`);
  const cost = (s: Shape) =>
    percentile(
      of(s).flatMap((p) => p.requests.map((r) => r.ms / r.size)),
      50,
    );
  console.log(`enqueue cost per task, single ÷ batch: ${(cost("single") / cost("batch")).toFixed(1)}×`);
  console.log(
    "(while single POSTs go on, workers already run the first tasks: their calls fall in the enqueue window too)",
  );
  const notes = phases.flatMap((p, i) =>
    (["enqueue", "run"] as const).flatMap((w) =>
      p.mixed[w].length > 0 ? [`${p.shape} #${Math.floor(i / 2) + 1} ${w}: ${p.mixed[w].join(", ")}`] : [],
    ),
  );
  if (notes.length > 0) {
    console.log("Data API windows shared with other work (the stand-in counts calls per operation, not per caller;");
    console.log(`these are left out above, marked * where no clean window was left): ${notes.join("; ")}`);
  }
  const heldOut = phases.flatMap((p) => p.finished).filter((t) => t.startedMs === null).length;
  if (heldOut > 0)
    console.log(`${heldOut} task(s) finished without a start time (cancelled?): not in queue wait or claim→complete`);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Calls per task over the phases whose `windows` no other work touched; when none was clean, all of them, marked with *. */
function callsPerTask(phases: Phase[], windows: ("enqueue" | "run")[]): string {
  const clean = phases.filter((p) => windows.every((w) => p.mixed[w].length === 0));
  const used = clean.length > 0 ? clean : phases;
  const calls = sum(used.flatMap((p) => windows.map((w) => p.dataCalls[w])));
  const figure = (calls / sum(used.map((p) => p.tasks))).toFixed(2);
  return clean.length > 0 ? `${figure} (${clean.length} clean window(s))` : `${figure}*`;
}
