import { SendMessageBatchCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { enqueueEach, enqueueTasks } from "../../../functions/tasks/enqueue.js";
import { reconcileTasks } from "../../../functions/tasks/reconcile.js";
import { releaseScheduledTasks } from "../../../functions/tasks/release.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testTaskDeps } from "../../support/task-deps.js";
import { acceptBatches, batchedTaskIds } from "./wake-up-mocks.js";

const echo = (message: string, extra: Record<string, unknown> = {}) => ({
  name: "diagnostics.echo",
  payload: { message },
  ...extra,
});
const alice = { sub: "alice", roles: [] };

describe("enqueueTasks", () => {
  const t = migratedDatabase(["tasks"]);
  const count = async () => (await t.db.first<{ n: number }>("SELECT count(*)::int AS n FROM tasks"))?.n;

  it("stores 25 tasks in one INSERT and sends them ten per SendMessageBatch", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    acceptBatches(sqsMock);
    t.server.resetStats();
    const results = await enqueueTasks(
      deps,
      Array.from({ length: 25 }, (_, i) => echo(`m${i}`)),
    );
    expect(t.server.stats().requests).toBe(1);
    expect(results.every((r) => r.status === "queued" && !r.duplicate)).toBe(true);
    expect(
      sqsMock
        .commandCalls(SendMessageBatchCommand)
        .map((c) => c.args[0].input.Entries?.length)
        .sort(),
    ).toEqual([10, 10, 5]);
    expect(new Set(batchedTaskIds(sqsMock))).toEqual(new Set(results.map((r) => r.id)));
    expect(await count()).toBe(25);
  });

  it("refuses the whole batch when one item is invalid, naming each bad item, and stores and sends nothing", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    acceptBatches(sqsMock);
    const refused = enqueueTasks(deps, [
      echo("ok"),
      { name: "nope.task", payload: {} },
      echo("ok"),
      { name: "diagnostics.echo", payload: { message: 3 } },
    ]);
    await expect(refused).rejects.toMatchObject({
      statusCode: 400,
      issues: [
        expect.stringMatching(/^tasks\[1\]\.name: unknown task "nope.task"/),
        expect.stringMatching(/^tasks\[3\]\.payload\.message/),
      ],
    });
    // A caller who may not start an item: 403 for the batch, the item named.
    const forbidden = enqueueTasks(deps, [
      { name: "reports.task-stats", payload: { hours: 1 }, caller: alice },
      { name: "housekeeping.expire-idempotency-keys", payload: { olderThanHours: 1 }, caller: alice },
    ]);
    await expect(forbidden).rejects.toMatchObject({
      statusCode: 403,
      issues: [expect.stringMatching(/^tasks\[1\]: /)],
    });
    expect(await count()).toBe(0);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it("resolves repeated idempotency keys inside a batch and across batches in one extra statement", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    acceptBatches(sqsMock);
    const [a, b, a2] = await enqueueTasks(deps, [
      echo("a", { idempotencyKey: "k-a" }),
      echo("b", { idempotencyKey: "k-b" }),
      echo("a again", { idempotencyKey: "k-a" }),
    ]);
    expect(a2).toEqual({ ...a, duplicate: true });
    t.server.resetStats();
    const again = await enqueueTasks(deps, [
      echo("b", { idempotencyKey: "k-b" }),
      echo("c", { idempotencyKey: "k-c" }),
      echo("a", { idempotencyKey: "k-a" }),
    ]);
    // The insert, then one lookup for both duplicates.
    expect(t.server.stats().requests).toBe(2);
    expect(again[0]).toEqual({ ...b, duplicate: true });
    expect(again[1]).toMatchObject({ duplicate: false });
    expect(again[2]).toEqual({ ...a, duplicate: true });
    // Another caller's key is never a duplicate of the system's.
    const [hers] = await enqueueTasks(deps, [
      { name: "reports.task-stats", payload: { hours: 1 }, idempotencyKey: "k-a", caller: alice },
    ]);
    expect(hers?.duplicate).toBe(false);
    expect(await count()).toBe(4);
    expect(batchedTaskIds(sqsMock).length + sqsMock.commandCalls(SendMessageCommand).length).toBe(4);
  });

  it("removes the rows whose messages SQS refused and says which items were not queued", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    const refuse = new Set<string>();
    sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string; MessageBody: string }[] }) => {
      const [first, ...rest] = input.Entries;
      if (first) refuse.add((JSON.parse(first.MessageBody) as { taskId: string }).taskId);
      return {
        Successful: rest.map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: "" })),
        Failed: first ? [{ Id: first.Id, SenderFault: false, Code: "InternalError" }] : [],
      };
    });
    const error = await enqueueTasks(deps, [echo("0"), echo("1"), echo("2")]).catch((e: unknown) => e);
    expect(error).toMatchObject({
      statusCode: 503,
      results: [
        undefined,
        expect.objectContaining({ duplicate: false }),
        expect.objectContaining({ duplicate: false }),
      ],
    });
    const ids = (await t.db.rows<{ id: string }>("SELECT id::text FROM tasks")).map((r) => r.id);
    expect(ids).toHaveLength(2);
    expect(ids.some((id) => refuse.has(id))).toBe(false);
  });

  it("enqueueEach lets a valid item through when another one is invalid", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    acceptBatches(sqsMock);
    const [bad, good] = await enqueueEach(deps, [{ name: "nope.task", payload: {} }, echo("fine")]);
    expect(bad).toMatchObject({ ok: false });
    expect(good).toMatchObject({ ok: true, result: { status: "queued" } });
    expect(await count()).toBe(1);
  });

  it("releases due scheduled tasks in one UPDATE and batched messages", async () => {
    let now = new Date("2026-05-01T10:00:00Z");
    const { deps, sqsMock } = testTaskDeps(t.db, () => now);
    acceptBatches(sqsMock);
    const held = await enqueueTasks(
      deps,
      Array.from({ length: 12 }, (_, i) => echo(`later ${i}`, { runAt: new Date("2026-05-01T12:00:00Z") })),
    );
    expect(held.every((r) => r.status === "scheduled")).toBe(true);
    now = new Date("2026-05-01T12:00:01Z");
    t.server.resetStats();
    expect(await releaseScheduledTasks(deps)).toBe(12);
    expect(t.server.stats().requests).toBe(1);
    expect(new Set(batchedTaskIds(sqsMock))).toEqual(new Set(held.map((r) => r.id)));
  });

  it("reconciles many lost messages with batched wake-ups", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    acceptBatches(sqsMock);
    const lost = await enqueueTasks(
      deps,
      Array.from({ length: 15 }, (_, i) => echo(`lost ${i}`)),
    );
    await t.db.query("UPDATE tasks SET wake_due_at = now() - interval '2 hours'");
    sqsMock.resetHistory();
    const report = await reconcileTasks(deps, { limit: 100, staleAfterSeconds: { default: 60 } });
    expect(report).toMatchObject({ woken: 15, unsent: 0 });
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
    expect(new Set(batchedTaskIds(sqsMock))).toEqual(new Set(lost.map((r) => r.id)));
  });
});
