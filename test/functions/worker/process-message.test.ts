import { Logger } from "@aws-lambda-powertools/logger";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import type { Database } from "../../../functions/core/db/database.js";
import { DatabaseUnavailableError } from "../../../functions/core/db/unavailable.js";
import type { TaskDeps } from "../../../functions/tasks/deps.js";
import { uuid } from "../../../functions/core/db/parameters.js";
import { enqueueTask } from "../../../functions/tasks/enqueue.js";
import { processMessage } from "../../../functions/worker/process-message.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testQueues, testTaskDeps } from "../../support/task-deps.js";

const logger = new Logger({ logLevel: "CRITICAL" as never });
const options = (remainingMs = 30_000) => ({
  queue: "default",
  remainingMs: () => remainingMs,
  logger,
  random: () => 0,
});

describe("processMessage", () => {
  const t = migratedDatabase(["tasks"]);

  async function enqueue(payload: Record<string, unknown>) {
    const { deps, sent, sqsMock } = testTaskDeps(t.db);
    const { id } = await enqueueTask(deps, { name: "diagnostics.echo", payload });
    const body = JSON.stringify({ taskId: id, name: "diagnostics.echo" });
    sqsMock.resetHistory();
    return { id, body, deps, sent };
  }
  async function enqueueWithMock(payload: Record<string, unknown>) {
    const { deps, sqsMock } = testTaskDeps(t.db);
    const { id } = await enqueueTask(deps, { name: "diagnostics.echo", payload });
    return { id, body: JSON.stringify({ taskId: id, name: "diagnostics.echo" }), deps, sqsMock };
  }
  const task = (id: string) =>
    t.db.first<Record<string, unknown>>(
      "SELECT status, attempts, result, error, dead_lettered_at IS NOT NULL AS dead FROM tasks WHERE id = :id",
      { id: uuid(id) },
    );

  it("runs a task and records its result: enqueue, claim and completion take 3 Data API calls", async () => {
    t.server.resetStats();
    const { id, body, deps } = await enqueue({ message: "hello" });
    expect(await processMessage(deps, body, options())).toEqual({ action: "delete", reason: "succeeded" });
    expect(t.server.stats().requests).toBe(3);
    expect(await task(id)).toEqual({
      status: "succeeded",
      attempts: 1,
      result: { message: "hello" },
      error: null,
      dead: false,
    });
  });

  it("runs a task once when the same message is delivered twice at the same time", async () => {
    const { id, body, deps } = await enqueue({ message: "once", sleepMs: 300 });
    const outcomes = await Promise.all([processMessage(deps, body, options()), processMessage(deps, body, options())]);
    expect(outcomes.map((o) => o.action).sort()).toEqual(["delete", "retry"]);
    expect(outcomes.find((o) => o.action === "retry")).toMatchObject({ reason: "task already running" });
    expect(await task(id)).toMatchObject({ status: "succeeded", attempts: 1 });
    // The duplicate coming back later finds the task finished and is dropped without a second run.
    expect(await processMessage(deps, body, options())).toEqual({ action: "delete", reason: "task is succeeded" });
    expect(await task(id)).toMatchObject({ attempts: 1 });
  });

  it("never runs a cancelled task", async () => {
    const { id, body, deps } = await enqueue({ message: "x" });
    await t.db.query("UPDATE tasks SET status = 'cancelled' WHERE id = :id", { id: uuid(id) });
    expect(await processMessage(deps, body, options())).toEqual({ action: "delete", reason: "task is cancelled" });
    expect(await task(id)).toMatchObject({ status: "cancelled", attempts: 0 });
  });

  it("retries a failing task with backoff, then succeeds", async () => {
    const { id, body, deps } = await enqueue({ message: "flaky", failTimes: 1 });
    expect(await processMessage(deps, body, options())).toMatchObject({ action: "retry", visibilitySeconds: 1 });
    expect(await task(id)).toMatchObject({
      status: "retrying",
      attempts: 1,
      error: expect.stringMatching(/failing on purpose/),
    });
    expect(await processMessage(deps, body, options())).toMatchObject({ action: "delete", reason: "succeeded" });
    expect(await task(id)).toMatchObject({ status: "succeeded", attempts: 2, error: null });
  });

  it("ends an exhausted task failed with its last error and parks the message in the DLQ", async () => {
    const { id, body, deps, sent } = await enqueue({ message: "doomed", failTimes: 99 });
    for (let i = 0; i < 2; i++) expect((await processMessage(deps, body, options())).action).toBe("retry");
    expect(await processMessage(deps, body, options())).toMatchObject({ action: "delete" });
    expect(await task(id)).toMatchObject({
      status: "failed",
      attempts: 3,
      dead: true,
      error: expect.stringMatching(/attempt 3 of 99/),
    });
    expect(sent()).toEqual([
      {
        queueUrl: testQueues.default.deadLetterUrl,
        body: { taskId: id, name: "diagnostics.echo" },
        delaySeconds: undefined,
      },
    ]);
  });

  it("stops a task at its soft time limit and counts it as a failed attempt", async () => {
    const { id, body, deps } = await enqueue({ message: "slow", sleepMs: 10_000 });
    // 6 s before the hard limit leaves a 1 s soft limit after the grace and bookkeeping time.
    const outcome = await processMessage(deps, body, options(6_000));
    expect(outcome).toMatchObject({ action: "retry" });
    expect(await task(id)).toMatchObject({
      status: "retrying",
      error: expect.stringMatching(/SoftTimeLimitExceeded.*soft time limit/),
    });
  });

  it("takes over a task whose worker died (lease expired), and gives up past max attempts", async () => {
    const { id, body, deps, sent } = await enqueue({ message: "crashy" });
    // A worker claimed it and died: status running, lease already over.
    await t.db.query(
      "UPDATE tasks SET status = 'running', attempts = 1, lease_expires_at = now() - interval '1 second' WHERE id = :id",
      { id: uuid(id) },
    );
    expect(await processMessage(deps, body, options())).toEqual({ action: "delete", reason: "succeeded" });
    expect(await task(id)).toMatchObject({ status: "succeeded", attempts: 2 });

    const again = await enqueue({ message: "keeps crashing" });
    await t.db.query(
      "UPDATE tasks SET status = 'running', attempts = 3, lease_expires_at = now() - interval '1 second' WHERE id = :id",
      { id: uuid(again.id) },
    );
    expect(await processMessage(again.deps, again.body, options())).toMatchObject({ action: "delete" });
    expect(await task(again.id)).toMatchObject({
      status: "failed",
      dead: true,
      error: expect.stringMatching(/gave up after 3 attempts/),
    });
    expect(sent()).toHaveLength(0);
    expect(again.sent()).toHaveLength(1);
  });

  it("fails a poison payload at once, without retries", async () => {
    const { id, body, deps } = await enqueue({ message: "ok" });
    await t.db.query(`UPDATE tasks SET payload = '{"message": 42}' WHERE id = :id`, { id: uuid(id) });
    expect(await processMessage(deps, body, options())).toMatchObject({ action: "delete" });
    expect(await task(id)).toMatchObject({
      status: "failed",
      attempts: 1,
      error: expect.stringMatching(/payload no longer valid: message/),
    });
  });

  it("sends a malformed message to the DLQ", async () => {
    const { deps, sent } = testTaskDeps(t.db);
    expect(await processMessage(deps, "{not json", options())).toMatchObject({ action: "delete" });
    // A task id that is not a uuid could never match a task (and Aurora would refuse it as one).
    expect(
      await processMessage(deps, JSON.stringify({ taskId: "task-1", name: "diagnostics.echo" }), options()),
    ).toMatchObject({ action: "delete" });
    expect(sent()).toEqual([
      expect.objectContaining({ queueUrl: testQueues.default.deadLetterUrl }),
      expect.objectContaining({ queueUrl: testQueues.default.deadLetterUrl }),
    ]);
  });

  describe("through database outages", () => {
    const parse = (body: unknown) =>
      body as { taskId: string; name: string; deferrals?: number; outcome?: Record<string, unknown> };

    it("defers the wake-up as a fresh message (receive count 0) while the database is away, without using up an attempt", async () => {
      const { id, body, deps, sent } = await enqueue({ message: "patient" });
      t.server.setAvailable(false);
      let current = body;
      const delays: number[] = [];
      try {
        // An outage of any length: every delivery is replaced by a fresh message; none is failed back to SQS.
        for (let i = 0; i < 8; i++) {
          expect(await processMessage(deps, current, options())).toEqual({
            action: "delete",
            reason: "database unavailable; deferred",
          });
          const last = sent().at(-1)!;
          expect(last.queueUrl).toBe(testQueues.default.url);
          expect(parse(last.body)).toEqual({ taskId: id, name: "diagnostics.echo", deferrals: i + 1 });
          delays.push(last.delaySeconds!);
          current = JSON.stringify(last.body);
        }
      } finally {
        t.server.setAvailable(true);
      }
      // random() = 0: half of 5, 10, 20, 40, then of the 60 s ceiling.
      expect(delays).toEqual([3, 5, 10, 20, 30, 30, 30, 30]);
      expect(sent().filter((m) => m.queueUrl === testQueues.default.deadLetterUrl)).toEqual([]);
      expect(await task(id)).toMatchObject({ status: "queued", attempts: 0 });
      expect(await processMessage(deps, current, options())).toMatchObject({ reason: "succeeded" });
      expect(await task(id)).toMatchObject({ status: "succeeded", attempts: 1 });
    });

    it("falls back to retrying the message when SQS refuses the fresh one too", async () => {
      const { id, body, deps, sqsMock } = await enqueueWithMock({ message: "x" });
      sqsMock.on(SendMessageCommand).rejects(new Error("SQS down"));
      t.server.setAvailable(false);
      try {
        expect(await processMessage(deps, body, options())).toEqual({
          action: "retry",
          visibilitySeconds: 15,
          reason: "database unavailable",
        });
      } finally {
        t.server.setAvailable(true);
      }
      expect(await task(id)).toMatchObject({ status: "queued", attempts: 0 });
    });

    it("retries the completion write with backoff while the Lambda has time, and records the run once", async () => {
      const { id, body, deps } = await enqueue({ message: "late write" });
      const flaky = failingWrites(deps, "'succeeded'", 3);
      const waits: number[] = [];
      const outcome = await processMessage(flaky.deps, body, {
        ...options(),
        sleep: async (ms) => void waits.push(ms),
      });
      expect(outcome).toEqual({ action: "delete", reason: "succeeded" });
      expect(waits).toEqual([200, 400, 800]);
      expect(await task(id)).toMatchObject({ status: "succeeded", attempts: 1, result: { message: "late write" } });
    });

    it("carries the outcome in a fresh message when the write still fails, and never runs the task again", async () => {
      const { id, body, deps, sent } = await enqueue({ message: "ran once" });
      const flaky = failingWrites(deps, "'succeeded'", Infinity);
      let remaining = 8_000;
      const outcome = await processMessage(flaky.deps, body, {
        ...options(),
        remainingMs: () => remaining,
        sleep: async (ms) => void (remaining -= ms),
      });
      expect(outcome).toEqual({ action: "delete", reason: "outcome carried in a fresh message" });
      expect(await task(id)).toMatchObject({ status: "running", attempts: 1 });
      const carried = sent().at(-1)!;
      expect(carried).toMatchObject({ queueUrl: testQueues.default.url, delaySeconds: 5 });
      expect(parse(carried.body).outcome).toEqual({ attempt: 1, status: "succeeded", result: { message: "ran once" } });

      // The database is back only after the attempt's lease ended: the carried outcome is still recorded, not re-run.
      await t.db.query("UPDATE tasks SET lease_expires_at = now() - interval '1 minute' WHERE id = :id", {
        id: uuid(id),
      });
      expect(await processMessage(deps, JSON.stringify(carried.body), options())).toEqual({
        action: "delete",
        reason: "succeeded",
      });
      expect(await task(id)).toMatchObject({ status: "succeeded", attempts: 1, result: { message: "ran once" } });
      // A late duplicate of the original wake-up finds it finished.
      expect(await processMessage(deps, body, options())).toEqual({ action: "delete", reason: "task is succeeded" });
      expect(await task(id)).toMatchObject({ attempts: 1 });
    });

    it("drops a carried outcome whose attempt was taken over, and acts as a plain wake-up", async () => {
      const { id, deps } = await enqueue({ message: "x" });
      await t.db.query(
        "UPDATE tasks SET status = 'running', attempts = 2, lease_expires_at = now() + interval '1 minute' WHERE id = :id",
        { id: uuid(id) },
      );
      const stale = JSON.stringify({
        taskId: id,
        name: "diagnostics.echo",
        outcome: { attempt: 1, status: "succeeded", result: { message: "old" } },
      });
      expect(await processMessage(deps, stale, options())).toMatchObject({
        action: "retry",
        reason: "task already running",
      });
      expect(await task(id)).toMatchObject({ status: "running", attempts: 2, result: null });
    });

    it("records a carried retry and then runs the next attempt from the same message", async () => {
      const { id, deps } = await enqueue({ message: "x" });
      await t.db.query(
        "UPDATE tasks SET status = 'running', attempts = 1, lease_expires_at = now() + interval '1 minute' WHERE id = :id",
        { id: uuid(id) },
      );
      const carried = JSON.stringify({
        taskId: id,
        name: "diagnostics.echo",
        outcome: { attempt: 1, status: "retrying", error: "Error: boom", retryInSeconds: 7 },
      });
      expect(await processMessage(deps, carried, options())).toEqual({
        action: "retry",
        visibilitySeconds: 7,
        reason: "retrying",
      });
      expect(await task(id)).toMatchObject({ status: "retrying", attempts: 1, error: "Error: boom" });
      expect(await processMessage(deps, carried, options())).toEqual({ action: "delete", reason: "succeeded" });
      expect(await task(id)).toMatchObject({ status: "succeeded", attempts: 2 });
    });
  });
});

/** The same deps, but the database refuses the writes whose SQL contains `marker`, `times` times, as an outage would. */
function failingWrites(deps: TaskDeps, marker: string, times: number) {
  let left = times;
  const db = Object.create(deps.db) as Database;
  db.query = async (sql, params) => {
    if (sql.includes(marker) && left > 0) {
      left -= 1;
      throw new DatabaseUnavailableError();
    }
    return deps.db.query(sql, params);
  };
  return { deps: { ...deps, db } };
}
