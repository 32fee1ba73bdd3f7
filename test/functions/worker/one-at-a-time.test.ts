import { Logger } from "@aws-lambda-powertools/logger";
import { describe, expect, it } from "vitest";
import { uuid } from "../../../functions/core/db/parameters.js";
import { processMessage } from "../../../functions/worker/process-message.js";
import { fulfilledValues, postgresUrlOrSkip, raceBehindLock } from "../../support/contention.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testQueues, testTaskDeps } from "../../support/task-deps.js";

const logger = new Logger({ logLevel: "CRITICAL" as never });
/** The worker of a queue whose cap is 1, as CDK configures it (GROUNDCREW_WORKER_ONE_AT_A_TIME). */
const soloWorker = { queue: "reports", oneAtATime: true, remainingMs: () => 30_000, logger, random: () => 0 };

describe("processMessage on a queue whose cap is 1", () => {
  const t = migratedDatabase(["tasks", "queue_slots"]);

  const queuedTask = async (message: string) => {
    const row = await t.db.first<{ id: string }>(
      `INSERT INTO tasks (name, queue, payload, status, max_attempts)
       VALUES ('diagnostics.echo', 'reports', :payload::jsonb, 'queued', 3) RETURNING id`,
      { payload: JSON.stringify({ message, sleepMs: 300 }) },
    );
    return { id: row!.id, body: JSON.stringify({ taskId: row!.id, name: "diagnostics.echo" }) };
  };
  const runs = () =>
    t.db.rows<{ id: string; status: string; attempts: number; started: number | null; finished: number | null }>(
      `SELECT id, status, attempts, extract(epoch FROM started_at)::float8 AS started, extract(epoch FROM finished_at)::float8 AS finished
         FROM tasks ORDER BY started_at NULLS LAST`,
    );

  it("runs two tasks delivered to two workers at the same moment one after the other; the one that waits uses no attempt and no receive", async (context) => {
    const url = postgresUrlOrSkip(context, t);
    const { deps, sent } = testTaskDeps(t.db);
    const tasks = [await queuedTask("first"), await queuedTask("second")];

    // Both workers' claims wait behind one lock and then go at once: a true overlap.
    const race = await raceBehindLock(url, [{ sql: "LOCK TABLE tasks IN SHARE MODE" }], 2, (i) =>
      processMessage(deps, tasks[i]!.body, soloWorker),
    );
    expect(race).toMatchObject({ queued: 2, finishedBeforeRelease: 0 });
    const outcomes = fulfilledValues(race.results);

    // One ran; the other's message was replaced by a fresh, delayed copy (receive count 0) and deleted.
    expect(outcomes.map((o) => o.reason).sort()).toEqual(["queue busy; deferred", "succeeded"]);
    expect(outcomes.every((o) => o.action === "delete")).toBe(true);
    const waiting = tasks[outcomes.findIndex((o) => o.reason === "queue busy; deferred")]!;
    expect(await t.db.first("SELECT status, attempts FROM tasks WHERE id = :id", { id: uuid(waiting.id) })).toEqual({
      status: "queued",
      attempts: 0,
    });
    expect(sent()).toEqual([
      {
        queueUrl: testQueues.reports.url,
        body: { taskId: waiting.id, name: "diagnostics.echo", deferrals: 1 },
        delaySeconds: 3,
      },
    ]);

    // The deferred wake-up comes back: the queue is free now, and the task runs.
    const deferred = JSON.stringify(sent()[0]!.body);
    expect(await processMessage(deps, deferred, soloWorker)).toEqual({ action: "delete", reason: "succeeded" });

    // Never two at once: the second started after the first had finished.
    const [first, second] = await runs();
    expect([first?.status, second?.status, first?.attempts, second?.attempts]).toEqual([
      "succeeded",
      "succeeded",
      1,
      1,
    ]);
    expect(second!.started!).toBeGreaterThanOrEqual(first!.finished!);
  });

  it("defers a task again and again while another runs, without using up its attempts, then runs it", async () => {
    const { deps, sent, sqsMock } = testTaskDeps(t.db);
    const long = await queuedTask("long");
    const waiting = await queuedTask("waiting");
    const running = processMessage(deps, long.body, soloWorker);
    // Wait until the long task holds the queue.
    while ((await t.db.first<{ n: number }>("SELECT count(*)::int AS n FROM tasks WHERE status = 'running'"))?.n !== 1)
      await new Promise((r) => setTimeout(r, 5));

    let body = waiting.body;
    for (let deferrals = 1; deferrals <= 3; deferrals++) {
      sqsMock.resetHistory();
      expect(await processMessage(deps, body, soloWorker)).toEqual({
        action: "delete",
        reason: "queue busy; deferred",
      });
      const [copy] = sent();
      expect(copy).toMatchObject({ queueUrl: testQueues.reports.url, body: { taskId: waiting.id, deferrals } });
      body = JSON.stringify(copy!.body);
    }
    expect(await t.db.first("SELECT status, attempts FROM tasks WHERE id = :id", { id: uuid(waiting.id) })).toEqual({
      status: "queued",
      attempts: 0,
    });

    expect(await running).toEqual({ action: "delete", reason: "succeeded" });
    expect(await processMessage(deps, body, soloWorker)).toEqual({ action: "delete", reason: "succeeded" });
    expect(await t.db.first("SELECT status, attempts FROM tasks WHERE id = :id", { id: uuid(waiting.id) })).toEqual({
      status: "succeeded",
      attempts: 1,
    });
  });
});
