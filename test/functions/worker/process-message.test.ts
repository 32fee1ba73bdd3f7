import { Logger } from "@aws-lambda-powertools/logger";
import { describe, expect, it } from "vitest";
import { uuid } from "../../../functions/core/db/parameters.js";
import { enqueueTask } from "../../../functions/tasks/enqueue.js";
import { processMessage } from "../../../functions/worker/process-message.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testQueues, testTaskDeps } from "../../support/task-deps.js";

const logger = new Logger({ logLevel: "CRITICAL" as never });
const options = (remainingMs = 30_000) => ({ queue: "default", remainingMs: () => remainingMs, logger, random: () => 0 });

describe("processMessage", () => {
  const t = migratedDatabase(["tasks"]);

  async function enqueue(payload: Record<string, unknown>) {
    const { deps, sent, sqsMock } = testTaskDeps(t.db);
    const { id } = await enqueueTask(deps, { name: "diagnostics.echo", payload });
    const body = JSON.stringify({ taskId: id, name: "diagnostics.echo" });
    sqsMock.resetHistory();
    return { id, body, deps, sent };
  }
  const task = (id: string) => t.db.first<Record<string, unknown>>("SELECT status, attempts, result, error, dead_lettered_at IS NOT NULL AS dead FROM tasks WHERE id = :id", { id: uuid(id) });

  it("runs a task and records its result: enqueue, claim and completion take 3 Data API calls", async () => {
    t.server.resetStats();
    const { id, body, deps } = await enqueue({ message: "hello" });
    expect(await processMessage(deps, body, options())).toEqual({ action: "delete", reason: "succeeded" });
    expect(t.server.stats().requests).toBe(3);
    expect(await task(id)).toEqual({ status: "succeeded", attempts: 1, result: { message: "hello" }, error: null, dead: false });
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
    expect(await task(id)).toMatchObject({ status: "retrying", attempts: 1, error: expect.stringMatching(/failing on purpose/) });
    expect(await processMessage(deps, body, options())).toMatchObject({ action: "delete", reason: "succeeded" });
    expect(await task(id)).toMatchObject({ status: "succeeded", attempts: 2, error: null });
  });

  it("ends an exhausted task failed with its last error and parks the message in the DLQ", async () => {
    const { id, body, deps, sent } = await enqueue({ message: "doomed", failTimes: 99 });
    for (let i = 0; i < 2; i++) expect((await processMessage(deps, body, options())).action).toBe("retry");
    expect(await processMessage(deps, body, options())).toMatchObject({ action: "delete" });
    expect(await task(id)).toMatchObject({ status: "failed", attempts: 3, dead: true, error: expect.stringMatching(/attempt 3 of 99/) });
    expect(sent()).toEqual([{ queueUrl: testQueues.default.deadLetterUrl, body: { taskId: id, name: "diagnostics.echo" }, delaySeconds: undefined }]);
  });

  it("stops a task at its soft time limit and counts it as a failed attempt", async () => {
    const { id, body, deps } = await enqueue({ message: "slow", sleepMs: 10_000 });
    // 6 s before the hard limit leaves a 1 s soft limit after the grace and bookkeeping time.
    const outcome = await processMessage(deps, body, options(6_000));
    expect(outcome).toMatchObject({ action: "retry" });
    expect(await task(id)).toMatchObject({ status: "retrying", error: expect.stringMatching(/SoftTimeLimitExceeded.*soft time limit/) });
  });

  it("takes over a task whose worker died (lease expired), and gives up past max attempts", async () => {
    const { id, body, deps, sent } = await enqueue({ message: "crashy" });
    // A worker claimed it and died: status running, lease already over.
    await t.db.query("UPDATE tasks SET status = 'running', attempts = 1, lease_expires_at = now() - interval '1 second' WHERE id = :id", { id: uuid(id) });
    expect(await processMessage(deps, body, options())).toEqual({ action: "delete", reason: "succeeded" });
    expect(await task(id)).toMatchObject({ status: "succeeded", attempts: 2 });

    const again = await enqueue({ message: "keeps crashing" });
    await t.db.query("UPDATE tasks SET status = 'running', attempts = 3, lease_expires_at = now() - interval '1 second' WHERE id = :id", { id: uuid(again.id) });
    expect(await processMessage(again.deps, again.body, options())).toMatchObject({ action: "delete" });
    expect(await task(again.id)).toMatchObject({ status: "failed", dead: true, error: expect.stringMatching(/gave up after 3 attempts/) });
    expect(sent()).toHaveLength(0);
    expect(again.sent()).toHaveLength(1);
  });

  it("fails a poison payload at once, without retries", async () => {
    const { id, body, deps } = await enqueue({ message: "ok" });
    await t.db.query(`UPDATE tasks SET payload = '{"message": 42}' WHERE id = :id`, { id: uuid(id) });
    expect(await processMessage(deps, body, options())).toMatchObject({ action: "delete" });
    expect(await task(id)).toMatchObject({ status: "failed", attempts: 1, error: expect.stringMatching(/payload no longer valid: message/) });
  });

  it("sends a malformed message to the DLQ", async () => {
    const { deps, sent } = testTaskDeps(t.db);
    expect(await processMessage(deps, "{not json", options())).toMatchObject({ action: "delete" });
    // A task id that is not a uuid could never match a task (and Aurora would refuse it as one).
    expect(await processMessage(deps, JSON.stringify({ taskId: "task-1", name: "diagnostics.echo" }), options())).toMatchObject({ action: "delete" });
    expect(sent()).toEqual([
      expect.objectContaining({ queueUrl: testQueues.default.deadLetterUrl }),
      expect.objectContaining({ queueUrl: testQueues.default.deadLetterUrl }),
    ]);
  });

  it("keeps the message for later while the database is unavailable, without using up an attempt", async () => {
    const { id, body, deps } = await enqueue({ message: "patient" });
    t.server.setAvailable(false);
    try {
      expect(await processMessage(deps, body, options())).toEqual({ action: "retry", visibilitySeconds: 15, reason: "database unavailable" });
    } finally {
      t.server.setAvailable(true);
    }
    expect(await task(id)).toMatchObject({ status: "queued", attempts: 0 });
    expect(await processMessage(deps, body, options())).toMatchObject({ reason: "succeeded" });
  });
});
