import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { uuid } from "../../../functions/core/db/parameters.js";
import { redriveDeadLetters } from "../../../functions/tasks/queues.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testTaskDeps } from "../../support/task-deps.js";
import { acceptBatches, batchedTaskIds, deadLetterQueue } from "./wake-up-mocks.js";

describe("redriveDeadLetters: from the task rows, with exact counts", () => {
  const t = migratedDatabase(["tasks"]);

  const insertTask = async (fields: {
    status: string;
    deadLettered?: boolean;
    uniqueKey?: string;
    queue?: string;
    wakeDueMinutesAgo?: number;
  }) => {
    const row = await t.db.first<{ id: string }>(
      `INSERT INTO tasks (name, queue, payload, status, attempts, max_attempts, error, unique_key, dead_lettered_at, finished_at, wake_due_at)
       VALUES ('diagnostics.echo', :queue, '{"message": "hi"}', :status, 3, 3, 'boom', :uniqueKey,
               CASE WHEN :deadLettered THEN now() END, CASE WHEN :status IN ('failed', 'succeeded') THEN now() END,
               now() - :wakeDueMinutesAgo * interval '1 minute')
       RETURNING id`,
      {
        status: fields.status,
        queue: fields.queue ?? "default",
        uniqueKey: fields.uniqueKey ?? null,
        deadLettered: fields.deadLettered ?? false,
        wakeDueMinutesAgo: fields.wakeDueMinutesAgo ?? 0,
      },
    );
    return row!.id;
  };
  const body = (id: string) => JSON.stringify({ taskId: id, name: "diagnostics.echo" });
  const row = (id: string) =>
    t.db.first("SELECT status, attempts, error, dead_lettered_at FROM tasks WHERE id = :id", { id: uuid(id) });

  it("requeues failed tasks, wakes each, deletes the dead letters and keeps the malformed ones", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    acceptBatches(sqsMock);
    const failed = await insertTask({ status: "failed", deadLettered: true });
    const done = await insertTask({ status: "succeeded" });
    const otherQueue = await insertTask({ status: "failed", deadLettered: true, queue: "reports" });
    const dlq = deadLetterQueue(sqsMock, [body(failed), body(done), "{not json"]);

    expect(await redriveDeadLetters(deps, "default")).toEqual({
      queue: "default",
      tasksRequeued: 1,
      tasksAwaitingWakeUp: 0,
      tasksWoken: 0,
      messagesDeleted: 2,
      messagesKept: 1,
      more: false,
    });
    expect(dlq.deleted).toEqual(["r-0", "r-1"]);
    expect(batchedTaskIds(sqsMock)).toEqual([failed]);
    expect(await row(failed)).toEqual({ status: "queued", attempts: 0, error: null, dead_lettered_at: null });
    expect(await row(done)).toMatchObject({ status: "succeeded" });
    expect(await row(otherQueue)).toMatchObject({ status: "failed" });
  });

  it("brings a failed task back with a fresh message after its dead letter was purged or expired", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    acceptBatches(sqsMock);
    deadLetterQueue(sqsMock, []);
    const failed = await insertTask({ status: "failed", deadLettered: true });
    // The case: "tasksRequeued: 1, messagesMoved: 0", and the task queued with no message for good.
    expect(await redriveDeadLetters(deps, "default")).toMatchObject({
      tasksRequeued: 1,
      tasksAwaitingWakeUp: 0,
      messagesDeleted: 0,
    });
    expect(batchedTaskIds(sqsMock)).toEqual([failed]);
  });

  it("counts a task whose wake-up SQS refused as awaiting one, not as requeued", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    const refused = await insertTask({ status: "failed", deadLettered: true });
    const accepted = await insertTask({ status: "failed", deadLettered: true });
    acceptBatches(sqsMock, new Set([refused]));
    deadLetterQueue(sqsMock, []);
    expect(await redriveDeadLetters(deps, "default")).toMatchObject({ tasksRequeued: 1, tasksAwaitingWakeUp: 1 });
    // Both rows say queued: the reconciler sends the refused one its wake-up later.
    expect(await row(refused)).toMatchObject({ status: "queued" });
    expect(await row(accepted)).toMatchObject({ status: "queued" });
  });

  it("wakes a queued task whose message SQS dead-lettered, and leaves a fresh or finished one alone", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    acceptBatches(sqsMock);
    const stranded = await insertTask({ status: "queued", wakeDueMinutesAgo: 30 });
    const notYetDue = await insertTask({ status: "retrying", wakeDueMinutesAgo: -5 });
    const finished = await insertTask({ status: "succeeded" });
    deadLetterQueue(sqsMock, [body(stranded), body(notYetDue), body(finished)]);
    expect(await redriveDeadLetters(deps, "default")).toMatchObject({
      tasksRequeued: 0,
      tasksWoken: 1,
      messagesDeleted: 3,
    });
    expect(batchedTaskIds(sqsMock)).toEqual([stranded]);
    expect(await row(stranded)).toMatchObject({ status: "queued", attempts: 3 });
  });

  it("requeues one of two failed tasks sharing a unique key, and none while an active one holds it", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    acceptBatches(sqsMock);
    deadLetterQueue(sqsMock, []);
    await insertTask({ status: "failed", deadLettered: true, uniqueKey: "part-1" });
    await insertTask({ status: "failed", deadLettered: true, uniqueKey: "part-1" });
    await insertTask({ status: "failed", deadLettered: true, uniqueKey: "part-2" });
    await insertTask({ status: "running", uniqueKey: "part-2" });
    expect(await redriveDeadLetters(deps, "default")).toMatchObject({ tasksRequeued: 1 });
    expect(await t.db.rows("SELECT unique_key, status FROM tasks WHERE status = 'queued'")).toEqual([
      { unique_key: "part-1", status: "queued" },
    ]);
  });

  it("requeues each task once when two redrives overlap", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    acceptBatches(sqsMock);
    deadLetterQueue(sqsMock, []);
    for (let i = 0; i < 5; i++) await insertTask({ status: "failed", deadLettered: true });
    const results = await Promise.all([redriveDeadLetters(deps, "default"), redriveDeadLetters(deps, "default")]);
    expect(results.reduce((sum, r) => sum + r.tasksRequeued, 0)).toBe(5);
    expect(sqsMock.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? [])).toHaveLength(5);
  });
});
