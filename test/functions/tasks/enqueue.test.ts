import { describe, expect, it } from "vitest";
import { uuid } from "../../../functions/core/db/parameters.js";
import { enqueueTask } from "../../../functions/tasks/enqueue.js";
import { releaseScheduledTasks } from "../../../functions/tasks/release.js";
import { fulfilledValues, postgresUrlOrSkip, raceBehindLock } from "../../support/contention.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testQueues, testTaskDeps } from "../../support/task-deps.js";

describe("enqueueTask", () => {
  const t = migratedDatabase(["tasks"]);

  it("stores the task and sends only its id, in one Data API call", async () => {
    const { deps, sent } = testTaskDeps(t.db);
    t.server.resetStats();
    const result = await enqueueTask(deps, {
      name: "diagnostics.echo",
      payload: { message: "hi" },
      createdBy: "alice",
    });
    expect(t.server.stats().requests).toBe(1);
    expect(result).toMatchObject({ status: "queued", duplicate: false });
    expect(sent()).toEqual([
      { queueUrl: testQueues.default.url, body: { taskId: result.id, name: "diagnostics.echo" }, delaySeconds: 0 },
    ]);
    expect(await t.db.first("SELECT status, payload, created_by AS who, max_attempts AS max FROM tasks")).toEqual({
      status: "queued",
      payload: { message: "hi" },
      who: "alice",
      max: 3,
    });
  });

  it("refuses an unknown task, an invalid payload and an oversized one without storing or sending", async () => {
    const { deps, sent } = testTaskDeps(t.db);
    await expect(enqueueTask(deps, { name: "nope.task", payload: {} })).rejects.toMatchObject({
      statusCode: 400,
      issues: [expect.stringMatching(/unknown task "nope.task"/)],
    });
    await expect(
      enqueueTask(deps, { name: "diagnostics.echo", payload: { message: 1, sleepMs: -1 } }),
    ).rejects.toMatchObject({
      statusCode: 400,
      issues: [expect.stringMatching(/^payload\.message/), expect.stringMatching(/^payload\.sleepMs/)],
    });
    await expect(
      enqueueTask(deps, { name: "diagnostics.echo", payload: { message: "x".repeat(500) } }, { maxPayloadBytes: 100 }),
    ).rejects.toMatchObject({ statusCode: 413 });
    expect(sent()).toEqual([]);
    expect(await t.db.rows("SELECT id FROM tasks")).toEqual([]);
  });

  it("returns the same task for the same idempotency key", async () => {
    const { deps, sent } = testTaskDeps(t.db);
    const first = await enqueueTask(deps, {
      name: "diagnostics.echo",
      payload: { message: "a" },
      idempotencyKey: "k-1",
    });
    const again = await enqueueTask(deps, {
      name: "diagnostics.echo",
      payload: { message: "a" },
      idempotencyKey: "k-1",
    });
    expect(again).toEqual({ id: first.id, status: "queued", duplicate: true });
    expect(sent()).toHaveLength(1);
  });

  it("keeps one active task per unique key", async () => {
    const { deps } = testTaskDeps(t.db);
    const first = await enqueueTask(deps, {
      name: "diagnostics.echo",
      payload: { message: "a" },
      uniqueKey: "rebuild:part-7",
    });
    const second = await enqueueTask(deps, {
      name: "diagnostics.echo",
      payload: { message: "b" },
      uniqueKey: "rebuild:part-7",
    });
    expect(second).toMatchObject({ id: first.id, duplicate: true });
    await t.db.query("UPDATE tasks SET status = 'succeeded'");
    const third = await enqueueTask(deps, {
      name: "diagnostics.echo",
      payload: { message: "c" },
      uniqueKey: "rebuild:part-7",
    });
    expect(third.duplicate).toBe(false);
  });

  describe("key scopes", () => {
    const alice = { sub: "alice", roles: [] };
    const bob = { sub: "bob", roles: [] };
    const carol = { sub: "carol", roles: ["admin"] };
    const dave = { sub: "dave", roles: ["admin"] };
    const report = (hours: number) => ({ name: "reports.task-stats", payload: { hours } });

    it("gives bob his own task for alice's idempotency key, and tells him nothing of hers", async () => {
      const { deps, sent } = testTaskDeps(t.db);
      const hers = await enqueueTask(deps, { ...report(1), idempotencyKey: "invoice-42", caller: alice });
      const his = await enqueueTask(deps, { ...report(2), idempotencyKey: "invoice-42", caller: bob });
      expect(his).toEqual({ id: expect.not.stringMatching(hers.id), status: "queued", duplicate: false });
      expect(await enqueueTask(deps, { ...report(3), idempotencyKey: "invoice-42", caller: alice })).toEqual({
        ...hers,
        duplicate: true,
      });
      expect(await enqueueTask(deps, { ...report(3), idempotencyKey: "invoice-42", caller: bob })).toEqual({
        ...his,
        duplicate: true,
      });
      expect(sent()).toHaveLength(2);
      expect(
        await t.db.rows("SELECT key_scope AS scope, payload->>'owner' AS owner FROM tasks ORDER BY created_at"),
      ).toEqual([
        { scope: "user:alice", owner: "alice" },
        { scope: "user:bob", owner: "bob" },
      ]);
    });

    it("scopes admins per person and the system apart from every caller", async () => {
      const { deps } = testTaskDeps(t.db);
      const echo = { name: "diagnostics.echo", payload: { message: "a" }, idempotencyKey: "nightly" };
      const ids = new Set<string>();
      for (const caller of [carol, dave, undefined]) {
        const result = await enqueueTask(deps, { ...echo, caller });
        expect(result.duplicate).toBe(false);
        ids.add(result.id);
      }
      expect(ids.size).toBe(3);
      expect(await enqueueTask(deps, echo)).toMatchObject({ duplicate: true });
      expect(
        (await t.db.rows<{ scope: string }>("SELECT key_scope AS scope FROM tasks")).map((r) => r.scope).sort(),
      ).toEqual(["system", "user:carol", "user:dave"]);
    });

    it("scopes unique keys too: another caller's active task is not yours", async () => {
      const { deps } = testTaskDeps(t.db);
      const rebuild = { name: "diagnostics.echo", payload: { message: "a" }, uniqueKey: "rebuild:part-7" };
      const carols = await enqueueTask(deps, { ...rebuild, caller: carol });
      const daves = await enqueueTask(deps, { ...rebuild, caller: dave });
      expect(daves).toMatchObject({ duplicate: false });
      expect(daves.id).not.toBe(carols.id);
      expect(await enqueueTask(deps, { ...rebuild, caller: carol })).toEqual({ ...carols, duplicate: true });
    });
  });

  describe("under contention", () => {
    const requests = 8;
    // Holding SHARE on the table blocks every insert into it: all enqueues queue, then go at once.
    const holdTasksTable = [{ sql: "LOCK TABLE tasks IN SHARE MODE" }];

    it("stores one task for many simultaneous enqueues with the same idempotency key", async (context) => {
      const url = postgresUrlOrSkip(context, t);
      const { deps, sent } = testTaskDeps(t.db);
      const race = await raceBehindLock(url, holdTasksTable, requests, (i) =>
        enqueueTask(deps, { name: "diagnostics.echo", payload: { message: `try ${i}` }, idempotencyKey: "order-42" }),
      );

      const results = fulfilledValues(race.results);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await t.db.rows("SELECT idempotency_key FROM tasks")).toEqual([{ idempotency_key: "order-42" }]);
      expect(sent()).toHaveLength(1);
      expect(race).toMatchObject({ queued: requests, finishedBeforeRelease: 0 });
    });

    it("keeps one active task for many simultaneous enqueues with the same unique key", async (context) => {
      const url = postgresUrlOrSkip(context, t);
      const { deps, sent } = testTaskDeps(t.db);
      const race = await raceBehindLock(url, holdTasksTable, requests, (i) =>
        enqueueTask(deps, { name: "diagnostics.echo", payload: { message: `try ${i}` }, uniqueKey: "rebuild:part-9" }),
      );

      const results = fulfilledValues(race.results);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await t.db.rows("SELECT unique_key FROM tasks")).toEqual([{ unique_key: "rebuild:part-9" }]);
      expect(sent()).toHaveLength(1);
      expect(race).toMatchObject({ queued: requests, finishedBeforeRelease: 0 });
    });
  });

  it("delays up to 15 minutes through SQS and holds later runs as scheduled until released", async () => {
    let now = new Date("2026-05-01T10:00:00Z");
    const { deps, sent } = testTaskDeps(t.db, () => now);
    const soon = await enqueueTask(deps, { name: "diagnostics.echo", payload: { message: "soon" }, delaySeconds: 120 });
    const later = await enqueueTask(deps, {
      name: "diagnostics.echo",
      payload: { message: "later" },
      runAt: new Date("2026-05-01T12:00:00Z"),
    });
    expect(soon.status).toBe("queued");
    expect(later.status).toBe("scheduled");
    expect(sent()).toEqual([expect.objectContaining({ delaySeconds: 120 })]);

    expect(await releaseScheduledTasks(deps)).toBe(0);
    now = new Date("2026-05-01T12:00:01Z");
    // Two overlapping ticks: the row is released once.
    const released = await Promise.all([releaseScheduledTasks(deps), releaseScheduledTasks(deps)]);
    expect(released.sort()).toEqual([0, 1]);
    expect(sent().map((m) => (m.body as { taskId: string }).taskId)).toEqual([soon.id, later.id]);
    expect(await t.db.first("SELECT status FROM tasks WHERE id = :id", { id: uuid(later.id) })).toEqual({
      status: "queued",
    });
  });

  it("removes the row again when the message cannot be sent", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    sqsMock.reset();
    sqsMock.rejects(new Error("SQS down"));
    await expect(enqueueTask(deps, { name: "diagnostics.echo", payload: { message: "x" } })).rejects.toThrow(
      "SQS down",
    );
    expect(await t.db.rows("SELECT id FROM tasks")).toEqual([]);
  });
});
