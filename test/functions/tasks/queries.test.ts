import { describe, expect, it } from "vitest";
import { text } from "../../../functions/core/db/parameters.js";
import { freeIdempotencyKeys } from "../../../functions/tasks/definitions/housekeeping-expire-idempotency-keys.js";
import { taskCountsSince } from "../../../functions/tasks/definitions/reports-daily-digest.js";
import { taskStats } from "../../../functions/tasks/definitions/reports-task-stats.js";
import { claimTask, recordProgress } from "../../../functions/tasks/lifecycle.js";
import { cancelTask, findTask, listTasks } from "../../../functions/tasks/queries.js";
import { migratedDatabase } from "../../support/local-database.js";

// Every statement here runs through the Data API stand-in, which binds plain strings as varchar
// as Aurora does: a uuid, timestamp or jsonb parameter sent without its hint fails these tests.
describe("task queries over the Data API", () => {
  const t = migratedDatabase(["tasks"]);

  const insertTask = async (
    fields: { status?: string; createdBy?: string; createdAt?: string; finishedAt?: string; key?: string } = {},
  ) => {
    const row = await t.db.first<{ id: string }>(
      `INSERT INTO tasks (name, queue, payload, status, max_attempts, created_by, created_at, finished_at, idempotency_key)
       VALUES ('diagnostics.echo', 'default', '{"message": "hi"}', :status, 3, :createdBy,
               COALESCE(:createdAt::timestamptz, now()), :finishedAt::timestamptz, :key)
       RETURNING id`,
      {
        status: fields.status ?? "queued",
        createdBy: fields.createdBy ?? null,
        createdAt: text(fields.createdAt),
        finishedAt: text(fields.finishedAt),
        key: fields.key ?? null,
      },
    );
    return row!.id;
  };

  it("finds a task by id, and nothing for an unknown one", async () => {
    const id = await insertTask({ createdBy: "alice" });
    expect(await findTask(t.db, id)).toMatchObject({
      id,
      status: "queued",
      createdBy: "alice",
      payload: { message: "hi" },
      createdAt: expect.stringMatching(/Z$/),
    });
    expect(await findTask(t.db, "00000000-0000-4000-8000-000000000000")).toBeUndefined();
  });

  it("lists by status and creator, and pages without losing tasks created in the same millisecond", async () => {
    // Microseconds apart, all within one millisecond: a cursor cut to milliseconds would skip some.
    const ids = [
      await insertTask({ createdAt: "2026-01-01 00:00:00.123100+00", createdBy: "alice" }),
      await insertTask({ createdAt: "2026-01-01 00:00:00.123200+00", createdBy: "alice" }),
      await insertTask({ createdAt: "2026-01-01 00:00:00.123300+00", createdBy: "alice" }),
    ];
    await insertTask({ createdBy: "bob", status: "succeeded" });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listTasks(t.db, { createdBy: "alice", limit: 1, cursor });
      seen.push(...page.tasks.map((task) => task.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    expect((await listTasks(t.db, { status: "succeeded", limit: 10 })).tasks.map((task) => task.createdBy)).toEqual([
      "bob",
    ]);
    expect((await listTasks(t.db, { name: "diagnostics.echo", limit: 10 })).tasks).toHaveLength(4);
    await expect(listTasks(t.db, { limit: 1, cursor: Buffer.from('["x","y"]').toString("base64url") })).rejects.toThrow(
      "Invalid request",
    );
  });

  it("refuses a forged cursor of any shape with a 400, and pages from a well-formed one", async () => {
    const id = "00000000-0000-4000-8000-000000000001";
    const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64url");
    const pair = (createdAt: unknown, rowId: unknown = id) => b64(JSON.stringify([createdAt, rowId]));
    const forged = [
      b64('["x","y"]'),
      b64("null"),
      b64("{}"),
      b64("[]"),
      b64('"2026-01-01T00:00:00Z"'),
      b64(JSON.stringify(["2026-01-01T00:00:00Z"])),
      b64(JSON.stringify(["2026-01-01T00:00:00Z", id, "extra"])),
      b64("{"),
      b64(Buffer.from([0xff, 0xfe, 0x5b])),
      pair(1767225600000),
      pair(["2026-01-01T00:00:00Z"]),
      pair("2026-13-01T00:00:00Z"),
      pair("2026-02-30T00:00:00Z"),
      pair("2026-01-01T25:00:00Z"),
      pair("2026-01-01T00:60:00Z"),
      pair("2026-01-01T00:00:60Z"),
      pair("0000-01-01T00:00:00Z"),
      pair("2026-01-01T00:00:00.1234567Z"),
      pair("2026-01-01 00:00:00Z"),
      pair("2026-01-01T00:00:00+01:00"),
      pair("2026-01-01T00:00:00Z", "not-a-uuid"),
      pair("2026-01-01T00:00:00Z", 7),
      pair("2026-01-01T00:00:00Z", `${id}\u0000`),
      "!!!",
      "a b",
      `${pair("2026-01-01T00:00:00Z")}==`,
      "+/+/",
      "A".repeat(10_000),
    ];
    for (const cursor of forged) {
      await expect(listTasks(t.db, { limit: 1, cursor }), cursor.slice(0, 60)).rejects.toMatchObject({
        statusCode: 400,
        issues: ["query.cursor: not a cursor this API returned"],
      });
    }
    // A cursor nobody was given but that names a real instant and a uuid is just a position: no error.
    expect((await listTasks(t.db, { limit: 1, cursor: pair("2024-02-29T23:59:59.999999Z") })).tasks).toEqual([]);
  });

  it("cancels a waiting task, and refuses a running or unknown one", async () => {
    const waiting = await insertTask();
    expect(await cancelTask(t.db, waiting)).toMatchObject({
      id: waiting,
      status: "cancelled",
      finishedAt: expect.any(String),
    });
    const running = await insertTask({ status: "running" });
    await expect(cancelTask(t.db, running)).rejects.toThrow("Task is running");
    await expect(cancelTask(t.db, "00000000-0000-4000-8000-000000000000")).rejects.toThrow("No such task");
  });

  it("records progress of the attempt that runs", async () => {
    const id = await insertTask();
    const claim = await claimTask(t.db, id, 60);
    expect(claim).toMatchObject({ claimed: true, attempt: 1 });
    await recordProgress(t.db, id, 1, 42.4, "halfway");
    expect(await findTask(t.db, id)).toMatchObject({ progress: 42, progressNote: "halfway" });
  });

  it("answers a second claim of a running task with its state and lease, from a fresh read", async () => {
    const id = await insertTask();
    expect(await claimTask(t.db, id, 60)).toMatchObject({ claimed: true });
    t.server.resetStats();
    const again = await claimTask(t.db, id, 60);
    expect(again).toEqual({ claimed: false, status: "running", leaseExpiresAt: expect.stringMatching(/Z$/) });
    // The loser pays one more round trip (the re-read); the winner's path stays one statement.
    expect(t.server.stats().requests).toBe(2);
    expect(await claimTask(t.db, "00000000-0000-4000-8000-000000000000", 60)).toEqual({
      claimed: false,
      status: "missing",
    });
  });

  it("frees idempotency keys of long-finished tasks and counts recent tasks for the reports", async () => {
    await insertTask({
      status: "succeeded",
      finishedAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
      key: "old",
    });
    await insertTask({ status: "succeeded", finishedAt: new Date().toISOString(), key: "fresh", createdBy: "alice" });
    expect(await freeIdempotencyKeys(t.db, 2)).toBe(1);
    expect(await taskCountsSince(t.db, 24)).toEqual([{ name: "diagnostics.echo", status: "succeeded", count: 2 }]);
    expect(await taskStats(t.db, 24)).toEqual([
      { name: "diagnostics.echo", status: "succeeded", count: 2, avgSeconds: null },
    ]);
    // A user's report counts only their own tasks.
    expect(await taskStats(t.db, 24, "alice")).toEqual([
      { name: "diagnostics.echo", status: "succeeded", count: 1, avgSeconds: null },
    ]);
    expect(await taskStats(t.db, 24, "bob")).toEqual([]);
  });
});
