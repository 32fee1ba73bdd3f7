import { Logger } from "@aws-lambda-powertools/logger";
import { describe, expect, it } from "vitest";
import type { Database } from "../../../functions/core/db/database.js";
import { uuid } from "../../../functions/core/db/parameters.js";
import { DatabaseUnavailableError } from "../../../functions/core/db/unavailable.js";
import type { TaskDeps } from "../../../functions/tasks/deps.js";
import { processBatch, type ProcessOptions } from "../../../functions/worker/process-message.js";
import { fulfilledValues, postgresUrlOrSkip, raceBehindLock } from "../../support/contention.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testQueues, testTaskDeps } from "../../support/task-deps.js";

const logger = new Logger({ logLevel: "CRITICAL" as never });
const options = (remainingMs = 60_000): ProcessOptions => ({
  queue: "default",
  remainingMs: () => remainingMs,
  logger,
  random: () => 0,
});

describe("processBatch", () => {
  const t = migratedDatabase(["tasks"]);

  /** Queued echo tasks, inserted straight into the table; returns their ids and message bodies. */
  async function queued(payloads: Record<string, unknown>[]) {
    const tasks: { id: string; body: string }[] = [];
    for (const payload of payloads) {
      const row = await t.db.first<{ id: string }>(
        `INSERT INTO tasks (name, queue, payload, status, max_attempts)
         VALUES ('diagnostics.echo', 'default', :payload::jsonb, 'queued', 3) RETURNING id`,
        { payload: JSON.stringify(payload) },
      );
      tasks.push({ id: row!.id, body: JSON.stringify({ taskId: row!.id, name: "diagnostics.echo" }) });
    }
    return tasks;
  }
  const task = (id: string) =>
    t.db.first<Record<string, unknown>>(
      "SELECT status, attempts, max_attempts, result, error FROM tasks WHERE id = :id",
      { id: uuid(id) },
    );
  const set = (id: string, assignments: string) =>
    t.db.query(`UPDATE tasks SET ${assignments} WHERE id = :id`, { id: uuid(id) });

  it("claims a batch of 10 in one statement and records it in one: 2 Data API calls", async () => {
    const tasks = await queued(Array.from({ length: 10 }, (_, i) => ({ message: `m${i}` })));
    const { deps } = testTaskDeps(t.db);
    t.server.resetStats();
    const outcomes = await processBatch(
      deps,
      tasks.map((x) => x.body),
      options(),
    );
    expect(t.server.stats().requests).toBe(2);
    expect(outcomes).toEqual(Array(10).fill({ action: "delete", reason: "succeeded" }));
    for (const [i, x] of tasks.entries()) {
      expect(await task(x.id)).toMatchObject({ status: "succeeded", attempts: 1, result: { message: `m${i}` } });
    }
  });

  it("gives each message of a mixed batch its own outcome", async () => {
    const [ok, flaky, doomed, busy, done] = await queued([
      { message: "ok" },
      { message: "flaky", failTimes: 1 },
      { message: "doomed", failTimes: 99 },
      { message: "busy" },
      { message: "done" },
    ]);
    // doomed is on its last attempt; busy runs in another worker; done has finished.
    await set(doomed!.id, "status = 'retrying', attempts = 2");
    await set(busy!.id, "status = 'running', attempts = 1, lease_expires_at = now() + interval '1 minute'");
    await set(done!.id, "status = 'succeeded', attempts = 1");
    const { deps, sent } = testTaskDeps(t.db);
    t.server.resetStats();
    const outcomes = await processBatch(
      deps,
      [ok, flaky, doomed, busy, done].map((x) => x!.body),
      options(),
    );
    expect(outcomes).toEqual([
      { action: "delete", reason: "succeeded" },
      { action: "retry", visibilitySeconds: 1, reason: "retrying" },
      { action: "delete", reason: "failed; sent to the dead-letter queue" },
      { action: "retry", visibilitySeconds: expect.any(Number), reason: "task already running" },
      { action: "delete", reason: "task is succeeded" },
    ]);
    // The claim, one read of the two it did not win, the outcomes.
    expect(t.server.stats().requests).toBe(3);
    expect(outcomes[3]!.action === "retry" && outcomes[3]!.visibilitySeconds).toBeGreaterThanOrEqual(60);
    expect(await task(ok!.id)).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(await task(flaky!.id)).toMatchObject({
      status: "retrying",
      attempts: 1,
      error: expect.stringMatching(/failing on purpose/),
    });
    expect(await task(doomed!.id)).toMatchObject({
      status: "failed",
      attempts: 3,
      error: expect.stringMatching(/attempt 3 of 99/),
    });
    expect(await task(busy!.id)).toMatchObject({ status: "running", attempts: 1 });
    expect(await task(done!.id)).toMatchObject({ status: "succeeded", attempts: 1 });
    const deadLetter = { taskId: doomed!.id, name: "diagnostics.echo" };
    expect(sent()).toEqual([{ queueUrl: testQueues.default.deadLetterUrl, body: deadLetter, delaySeconds: undefined }]);
  });

  it("runs a task named twice in one batch once, and drops the second message", async () => {
    const [x] = await queued([{ message: "twice" }]);
    const { deps } = testTaskDeps(t.db);
    const outcomes = await processBatch(deps, [x!.body, x!.body.replace(x!.id, x!.id.toUpperCase())], options());
    expect(outcomes).toEqual([
      { action: "delete", reason: "succeeded" },
      { action: "delete", reason: "duplicate of another message in this batch" },
    ]);
    expect(await task(x!.id)).toMatchObject({ status: "succeeded", attempts: 1 });
  });

  it("runs each task once when two workers claim overlapping batches at the same moment", async (context) => {
    const url = postgresUrlOrSkip(context, t);
    const tasks = await queued(Array.from({ length: 6 }, (_, i) => ({ message: `m${i}`, sleepMs: 50 })));
    const bodies = tasks.map((x) => x.body);
    // Worker 0 got tasks 0–3, worker 1 tasks 2–5 in the other order: both claims wait on one lock, then go at once.
    const batches = [bodies.slice(0, 4), bodies.slice(2).reverse()];
    const { deps } = testTaskDeps(t.db);
    const lock = [{ sql: "LOCK TABLE tasks IN SHARE MODE" }];
    const race = await raceBehindLock(url, lock, 2, (i) => processBatch(deps, batches[i]!, options()));
    expect(race).toMatchObject({ queued: 2, finishedBeforeRelease: 0 });
    const outcomes = fulfilledValues(race.results).flat();
    // Six runs for six tasks: each of the two shared ones ran in one worker; the other saw it running.
    expect(outcomes.filter((o) => o.reason === "succeeded")).toHaveLength(6);
    expect(outcomes.filter((o) => o.reason === "task already running")).toHaveLength(2);
    expect(outcomes).toHaveLength(8);
    for (const x of tasks) expect(await task(x.id)).toMatchObject({ status: "succeeded", attempts: 1 });
  });

  it("carries each outcome in a fresh message while the completion write is unavailable, and records them later in one call", async () => {
    const tasks = await queued([{ message: "a" }, { message: "b", failTimes: 1 }, { message: "c" }]);
    const { deps, sent } = testTaskDeps(t.db);
    let remaining = 40_000;
    const outcomes = await processBatch(
      failingWrites(deps, "jsonb_to_recordset"),
      tasks.map((x) => x.body),
      {
        ...options(),
        remainingMs: () => remaining,
        sleep: async (ms) => void (remaining -= ms),
      },
    );
    expect(outcomes).toEqual(Array(3).fill({ action: "delete", reason: "outcome carried in a fresh message" }));
    for (const x of tasks) expect(await task(x.id)).toMatchObject({ status: "running", attempts: 1 });
    const carried = sent().filter((m) => m.queueUrl === testQueues.default.url);
    expect(carried.map((m) => (m.body as { outcome: { status: string } }).outcome.status)).toEqual([
      "succeeded",
      "retrying",
      "succeeded",
    ]);
    expect(carried.every((m) => m.delaySeconds === 5)).toBe(true);

    // The database is back: the carried outcomes are recorded together, and nothing runs again.
    t.server.resetStats();
    const settled = await processBatch(
      deps,
      carried.map((m) => JSON.stringify(m.body)),
      options(),
    );
    expect(t.server.stats().requests).toBe(1);
    expect(settled).toEqual([
      { action: "delete", reason: "succeeded" },
      { action: "retry", visibilitySeconds: 1, reason: "retrying" },
      { action: "delete", reason: "succeeded" },
    ]);
    expect(await task(tasks[0]!.id)).toMatchObject({ status: "succeeded", attempts: 1, result: { message: "a" } });
    expect(await task(tasks[1]!.id)).toMatchObject({ status: "retrying", attempts: 1 });
  });

  it("defers the whole batch when the database is away at the claim", async () => {
    const tasks = await queued([{ message: "a" }, { message: "b" }]);
    const { deps, sent } = testTaskDeps(t.db);
    t.server.setAvailable(false);
    try {
      const outcomes = await processBatch(
        deps,
        tasks.map((x) => x.body),
        options(),
      );
      expect(outcomes).toEqual(Array(2).fill({ action: "delete", reason: "database unavailable; deferred" }));
    } finally {
      t.server.setAvailable(true);
    }
    expect(sent().map((m) => m.body)).toEqual(
      tasks.map((x) => ({ taskId: x.id, name: "diagnostics.echo", deferrals: 1 })),
    );
    for (const x of tasks) expect(await task(x.id)).toMatchObject({ status: "queued", attempts: 0 });
  });

  it("gives back, uncounted, a later task whose soft limit no longer fits in the Lambda's time", async () => {
    // 20 s left: the first task runs (as a batch of one would); the second's 25 s limit does not fit after it.
    const [first, second] = await queued([{ message: "first" }, { message: "second" }]);
    const { deps, sent } = testTaskDeps(t.db);
    const outcomes = await processBatch(deps, [first!.body, second!.body], options(20_000));
    expect(outcomes).toEqual([
      { action: "delete", reason: "succeeded" },
      { action: "delete", reason: "not started: the batch ran out of time; woken again" },
    ]);
    expect(await task(second!.id)).toMatchObject({ status: "retrying", attempts: 1, max_attempts: 4 });
    expect(sent()).toEqual([
      { queueUrl: testQueues.default.url, body: { taskId: second!.id, name: "diagnostics.echo" }, delaySeconds: 0 },
    ]);
  });
});

/** The same deps, but the database refuses the statements whose SQL contains `marker`, as an outage would. */
function failingWrites(deps: TaskDeps, marker: string): TaskDeps {
  const db = Object.create(deps.db) as Database;
  db.query = async (sql, params) => {
    if (sql.includes(marker)) throw new DatabaseUnavailableError();
    return deps.db.query(sql, params);
  };
  return { ...deps, db };
}
