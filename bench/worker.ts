import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { Database } from "../functions/core/db/database.js";
import type { SqlParams, SqlTyped } from "../functions/core/db/parameters.js";
import { migrate } from "../functions/setup/migrate.js";
import { migrations } from "../functions/setup/migrations/index.js";
import { noTaskServices, type TaskDeps } from "../functions/tasks/deps.js";
import { enqueueTask } from "../functions/tasks/enqueue.js";
import { claimTask, recordOutcome } from "../functions/tasks/lifecycle.js";
import { parseTaskMessage } from "../functions/tasks/messages.js";
import { runnableTask } from "../functions/tasks/implementations.js";
import { respondToBatch } from "../functions/worker/batch-response.js";
import { runWithSoftLimit } from "../functions/worker/run-with-limit.js";
import { findPostgresBinaries, startThrowawayPostgres } from "../localstack/postgres.js";
import { startTestDatabase } from "../test/support/local-database.js";
import { testTaskDeps } from "../test/support/task-deps.js";

/**
 * `npx tsx bench/worker.ts [rounds]`: what the worker costs per SQS message, set-based (our handler:
 * one claim and one completion statement per batch) beside a Powertools BatchProcessor handler
 * doing the same work one message at a time (claim, run, record per record).
 * (a) Data API calls per task, one insert per task included, at batch sizes 1 and 10: real SQL on a
 *     throwaway PostgreSQL behind the Data API stand-in, whose request counter gives the calls.
 * (b) CPU microseconds per message, both handlers against the same in-memory fake database, in
 *     interleaved rounds (the order flips every round); the ratio is the median of the rounds'.
 * (c) What single steps of a message cost, measured the same way: a child logger (no longer built
 *     per message) beside the soft-limit wrapper every run keeps.
 */
const rounds = Number(process.argv[2] ?? 41);
const quiet = new Logger({ logLevel: "WARN" });
const metrics = new Metrics({ namespace: "Bench", serviceName: "worker" });
const context = { getRemainingTimeInMillis: () => 60_000 } as Context;
const echo = runnableTask("diagnostics.echo")!;

/** The same work, the way a Powertools user writes it: each record claims, runs and records on its own. */
function powertoolsHandler(deps: TaskDeps) {
  const processor = new BatchProcessor(EventType.SQS);
  const record = async (record: SQSRecord) => {
    const message = parseTaskMessage(record.body);
    if (!message) throw new Error("malformed message");
    const claim = await claimTask(deps.db, message.taskId, 70);
    if (!claim.claimed) throw new Error(`task is ${claim.status}`);
    const definition = runnableTask(message.name)!;
    const payload: unknown = definition.payload.parse(claim.payload);
    const { taskId } = message;
    const { attempt } = claim;
    const result: unknown = await runWithSoftLimit(definition.timeLimitSeconds * 1000, 2_000, (signal) =>
      definition.run(payload, {
        taskId,
        attempt,
        signal,
        logger: quiet,
        db: deps.db,
        services: noTaskServices,
        progress: () => Promise.resolve(),
      }),
    );
    await recordOutcome(deps.db, taskId, { attempt, status: "succeeded", result: result ?? null });
    quiet.info("Task succeeded", { taskId, task: message.name, attempt });
    metrics.addMetric("TasksSucceeded", MetricUnit.Count, 1);
  };
  return (event: SQSEvent) => processPartialResponse(event, record, processor, { context });
}

const ourHandler = (deps: TaskDeps) => (event: SQSEvent) =>
  respondToBatch(deps, event.Records, {
    queue: "default",
    remainingMs: () => context.getRemainingTimeInMillis(),
    logger: quiet,
    metrics,
  });

const sqsEvent = (ids: string[]): SQSEvent => ({
  Records: ids.map((taskId, i) => {
    const body = JSON.stringify({ taskId, name: echo.name });
    return { messageId: `m-${i}`, receiptHandle: `r-${i}`, body } as SQSRecord;
  }),
});

// (a) Data API calls per task against real SQL.
const binaries = findPostgresBinaries();
const cluster = binaries ? await startThrowawayPostgres(binaries) : undefined;
if (cluster) process.env.TEST_DATABASE_URL = cluster.url;
const t = await startTestDatabase();
const calls: Record<string, Record<number, number>> = { powertools: {}, ours: {} };
try {
  await migrate(t.db, migrations);
  const { deps } = testTaskDeps(t.db);
  const tasks = 100;
  for (const batchSize of [1, 10]) {
    for (const [name, handler] of [
      ["powertools", powertoolsHandler(deps)],
      ["ours", ourHandler(deps)],
    ] as const) {
      t.server.resetStats();
      const ids: string[] = [];
      for (let i = 0; i < tasks; i++)
        ids.push((await enqueueTask(deps, { name: echo.name, payload: { message: "bench" } })).id);
      for (let start = 0; start < tasks; start += batchSize) {
        const response = await handler(sqsEvent(ids.slice(start, start + batchSize)));
        if (response.batchItemFailures.length > 0)
          throw new Error(`${name}: unexpected failures ${JSON.stringify(response)}`);
        metrics.clearMetrics();
      }
      calls[name]![batchSize] = t.server.stats().requests / tasks;
    }
  }
} finally {
  await t.close();
  await cluster?.stop();
}
const server = cluster ? "PostgreSQL" : "PGlite";
console.log(`(a) Data API calls per task, 1 insert each included, 100 tasks (${server} behind the Data API stand-in)`);
console.log(`    ${"".padEnd(44)}batch 1   batch 10`);
const callsRow = (label: string, perTask: Record<number, number>) =>
  console.log(`    ${label.padEnd(44)}${perTask[1]!.toFixed(2).padEnd(10)}${perTask[10]!.toFixed(2)}`);
callsRow("Powertools BatchProcessor, SQL per message", calls.powertools!);
callsRow("our handler, set-based SQL", calls.ours!);

// (b) CPU per message against an in-memory database that answers the worker's statements at once.
const fakeDeps: TaskDeps = {
  db: fakeDatabase(),
  sqs: { send: () => Promise.resolve({}) } as unknown as SQSClient,
  queues: { default: { url: "https://sqs.bench/default", deadLetterUrl: "https://sqs.bench/default-dlq" } },
  now: () => new Date(),
};
const ids = Array.from({ length: 10 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
const handlers = { powertools: powertoolsHandler(fakeDeps), ours: ourHandler(fakeDeps) };
const batchesPerRun = 500;
async function cpuPerMessage(name: keyof typeof handlers): Promise<number> {
  const handler = handlers[name];
  const before = process.cpuUsage();
  for (let i = 0; i < batchesPerRun; i++) {
    const response = await handler(sqsEvent(ids));
    if (response.batchItemFailures.length > 0) throw new Error(`${name}: unexpected failures`);
    metrics.clearMetrics();
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / (batchesPerRun * ids.length);
}
await cpuPerMessage("ours");
await cpuPerMessage("powertools");
const samples = { ours: [] as number[], powertools: [] as number[], ratio: [] as number[] };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? (["ours", "powertools"] as const) : (["powertools", "ours"] as const);
  const result: Record<string, number> = {};
  for (const name of order) result[name] = await cpuPerMessage(name);
  samples.ours.push(result.ours!);
  samples.powertools.push(result.powertools!);
  samples.ratio.push(result.ours! / result.powertools!);
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(
  `(b) CPU per message, batches of 10, ${rounds} interleaved rounds of ${batchesPerRun} batches, in-memory database`,
);
const spread = `min ${Math.min(...samples.ratio).toFixed(2)}, max ${Math.max(...samples.ratio).toFixed(2)}`;
console.log(
  `    Powertools BatchProcessor ${median(samples.powertools).toFixed(1)} µs   our handler ${median(samples.ours).toFixed(1)} µs` +
    `   ratio ours/Powertools ${median(samples.ratio).toFixed(2)}x (median of rounds; ${spread})`,
);

/** Answers the worker's statements as if every task were queued on its first attempt. */
function fakeDatabase(): Database {
  const ids = (param: unknown) => JSON.parse((param as SqlTyped).text) as unknown[];
  const db = Object.create(Database.prototype) as Database;
  db.query = <T>(sql: string, params?: SqlParams) => {
    if (sql.includes("jsonb_array_elements_text(:ids)") && sql.includes("UPDATE tasks")) {
      const rows = ids(params?.ids).map((id) => ({ id, payload: { message: "bench" }, attempts: 1, max_attempts: 3 }));
      return Promise.resolve({ rows: rows as T[], updated: rows.length });
    }
    if (sql.includes("jsonb_to_recordset(:outcomes)")) {
      const rows = (ids(params?.outcomes) as { id: string }[]).map(({ id }) => ({ id }));
      return Promise.resolve({ rows: rows as T[], updated: rows.length });
    }
    return Promise.reject(new Error(`The bench's database does not know: ${sql.slice(0, 80)}`));
  };
  return db;
}

// (c) Single steps, interleaved the same way.
const steps = {
  "logger.createChild": () =>
    Promise.resolve(void quiet.createChild({ persistentKeys: { taskId: ids[0]!, task: echo.name, attempt: 1 } })),
  "runWithSoftLimit (empty task)": () => runWithSoftLimit(25_000, 2_000, () => Promise.resolve(undefined)),
};
const stepSamples: Record<string, number[]> = {};
for (let round = 0; round < 11; round++) {
  for (const [name, step] of Object.entries(steps)) {
    const before = process.cpuUsage();
    for (let i = 0; i < 2_000; i++) await step();
    const used = process.cpuUsage(before);
    (stepSamples[name] ??= []).push((used.user + used.system) / 2_000);
  }
}
const stepFigures = Object.entries(stepSamples).map(([name, values]) => `${name} ${median(values).toFixed(1)} µs`);
console.log(`(c) ${stepFigures.join("   ")} (per call, median of 11 rounds)`);
