import { describe, expect, it } from "vitest";
import { uuid } from "../../../functions/core/db/parameters.js";
import { reconcileTasks, staleAfterByQueue } from "../../../functions/tasks/reconcile.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testTaskDeps } from "../../support/task-deps.js";
import { acceptBatches, batchedTaskIds } from "./wake-up-mocks.js";

/** The local stage's queues: default 60 s visibility, reports 180 s. */
const staleAfterSeconds = staleAfterByQueue({
  default: { visibilityTimeoutSeconds: 60 },
  reports: { visibilityTimeoutSeconds: 180 },
});

describe("reconcileTasks: a fresh wake-up for tasks whose message was lost", () => {
  const t = migratedDatabase(["tasks"]);

  /** A task whose wake-up was due `dueSecondsAgo` before now (negative: not yet due). */
  const insertTask = async (
    status: string,
    dueSecondsAgo: number,
    fields: { queue?: string; leaseSecondsAgo?: number; runInSeconds?: number } = {},
  ) => {
    const row = await t.db.first<{ id: string }>(
      `INSERT INTO tasks (name, queue, payload, status, max_attempts, wake_due_at, lease_expires_at, run_at)
       VALUES ('diagnostics.echo', :queue, '{"message": "hi"}', :status, 3, now() - :due * interval '1 second',
               now() - :lease * interval '1 second', now() + :runIn * interval '1 second')
       RETURNING id`,
      {
        status,
        queue: fields.queue ?? "default",
        due: dueSecondsAgo,
        lease: fields.leaseSecondsAgo ?? null,
        runIn: fields.runInSeconds ?? null,
      },
    );
    return row!.id;
  };
  const wakeDueAt = async (id: string) =>
    (await t.db.first<{ at: string }>("SELECT wake_due_at AS at FROM tasks WHERE id = :id", { id: uuid(id) }))!.at;

  it("wakes overdue queued, retrying and long-abandoned running tasks, and nothing else", async () => {
    let now = new Date();
    const { deps, sqsMock } = testTaskDeps(t.db, () => now);
    acceptBatches(sqsMock);
    const lostQueued = await insertTask("queued", 600);
    const lostRetry = await insertTask("retrying", 600);
    const abandoned = await insertTask("running", 600, { leaseSecondsAgo: 600 });
    await insertTask("queued", 30); // its message is probably still on its way
    await insertTask("retrying", -60); // still in its backoff
    await insertTask("running", 600, { leaseSecondsAgo: -30 }); // its worker is on it
    await insertTask("running", 600, { leaseSecondsAgo: 60 }); // the lease just ended: its message comes back by itself
    await insertTask("queued", 600, { runInSeconds: 60 }); // delayed on purpose
    for (const status of ["scheduled", "succeeded", "failed", "cancelled"]) await insertTask(status, 600);

    // The abandoned running task is only noted at the first look (see the next test).
    expect(await reconcileTasks(deps, { limit: 100, staleAfterSeconds })).toEqual({ woken: 2, unsent: 0, noted: 1 });
    expect(batchedTaskIds(sqsMock).sort()).toEqual([lostQueued, lostRetry].sort());
    now = new Date(now.getTime() + 121_000);
    // Meanwhile the task whose lease had just ended is stale too: it is noted now, not woken.
    expect(await reconcileTasks(deps, { limit: 100, staleAfterSeconds })).toMatchObject({ noted: 1 });
    expect(batchedTaskIds(sqsMock)).toContain(abandoned);
  });

  it("wakes a running task whose lease ended only one stale period after first seeing it, so a carried outcome lands first", async () => {
    let now = new Date();
    const { deps, sqsMock } = testTaskDeps(t.db, () => now);
    acceptBatches(sqsMock);
    // Both ran just before a long database outage; their outcomes travel in deferred messages.
    const recordedMeanwhile = await insertTask("running", 600, { leaseSecondsAgo: 580 });
    const stillRunning = await insertTask("running", 600, { leaseSecondsAgo: 580 });
    // The first beat after the outage: nothing is woken, so no second attempt can be claimed yet.
    expect(await reconcileTasks(deps, { limit: 100, staleAfterSeconds })).toEqual({ woken: 0, unsent: 0, noted: 2 });
    expect(batchedTaskIds(sqsMock)).toEqual([]);
    // One carried outcome lands (recordOutcome on attempt 1); the other task's worker really died.
    await t.db.query("UPDATE tasks SET status = 'succeeded', lease_expires_at = NULL WHERE id = :id", {
      id: uuid(recordedMeanwhile),
    });
    now = new Date(now.getTime() + 60_000);
    expect(await reconcileTasks(deps, { limit: 100, staleAfterSeconds })).toEqual({ woken: 0, unsent: 0, noted: 0 });
    now = new Date(now.getTime() + 61_000);
    expect(await reconcileTasks(deps, { limit: 100, staleAfterSeconds })).toEqual({ woken: 1, unsent: 0, noted: 0 });
    expect(batchedTaskIds(sqsMock)).toEqual([stillRunning]);
  });

  it("uses each queue's own stale period", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    acceptBatches(sqsMock);
    const overdueDefault = await insertTask("queued", 150);
    await insertTask("queued", 150, { queue: "reports" }); // reports waits 360 s
    const overdueReports = await insertTask("queued", 400, { queue: "reports" });
    expect(await reconcileTasks(deps, { limit: 100, staleAfterSeconds })).toEqual({ woken: 2, unsent: 0, noted: 0 });
    expect(batchedTaskIds(sqsMock).sort()).toEqual([overdueDefault, overdueReports].sort());
  });

  it("marks what it woke, so the next tick does not send it again until another stale period passed", async () => {
    let now = new Date();
    const { deps, sqsMock } = testTaskDeps(t.db, () => now);
    acceptBatches(sqsMock);
    const lost = await insertTask("queued", 600);
    expect(await reconcileTasks(deps, { limit: 100, staleAfterSeconds })).toMatchObject({ woken: 1 });
    expect(Date.parse(await wakeDueAt(lost))).toBe(now.getTime());
    expect(await reconcileTasks(deps, { limit: 100, staleAfterSeconds })).toMatchObject({ woken: 0 });
    now = new Date(now.getTime() + 121_000);
    expect(await reconcileTasks(deps, { limit: 100, staleAfterSeconds })).toMatchObject({ woken: 1 });
    expect(batchedTaskIds(sqsMock)).toEqual([lost, lost]);
  });

  it("wakes at most `limit` per call, the longest overdue first, and overlapping ticks never pick the same task", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    acceptBatches(sqsMock);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await insertTask("queued", 1_000 - i));
    expect(await reconcileTasks(deps, { limit: 5, staleAfterSeconds })).toEqual({ woken: 5, unsent: 0, noted: 0 });
    expect(batchedTaskIds(sqsMock)).toEqual(ids.slice(0, 5));
    const overlapping = await Promise.all([
      reconcileTasks(deps, { limit: 5, staleAfterSeconds }),
      reconcileTasks(deps, { limit: 5, staleAfterSeconds }),
    ]);
    expect(overlapping.reduce((sum, r) => sum + r.woken, 0)).toBe(7);
    expect(new Set(batchedTaskIds(sqsMock)).size).toBe(12);
    expect(batchedTaskIds(sqsMock)).toHaveLength(12);
  });

  it("counts wake-ups SQS refused as unsent", async () => {
    const { deps, sqsMock } = testTaskDeps(t.db);
    const refused = await insertTask("queued", 600);
    await insertTask("queued", 600);
    acceptBatches(sqsMock, new Set([refused]));
    expect(await reconcileTasks(deps, { limit: 100, staleAfterSeconds })).toEqual({ woken: 1, unsent: 1, noted: 0 });
  });
});
