import { describe, expect, it } from "vitest";
import { uuid } from "../../../functions/core/db/parameters.js";
import { claimTask, recordOutcome } from "../../../functions/tasks/lifecycle.js";
import { fulfilledValues, postgresUrlOrSkip, raceBehindLock } from "../../support/contention.js";
import { migratedDatabase } from "../../support/local-database.js";

const CLAIMS = 8;
const oneAtATime = { oneAtATime: true };

describe("claimTask for a one-at-a-time queue (cap 1)", () => {
  const t = migratedDatabase(["tasks", "queue_slots"]);

  const queuedTask = async (queue = "solo") => {
    const row = await t.db.first<{ id: string }>(
      `INSERT INTO tasks (name, queue, payload, status, max_attempts) VALUES ('diagnostics.echo', :queue, '{}', 'queued', 3) RETURNING id`,
      { queue },
    );
    return row!.id;
  };
  const running = () => t.db.rows<{ queue: string }>("SELECT queue FROM tasks WHERE status = 'running' ORDER BY queue");

  it("lets exactly one of many different tasks of the queue start when all claim at the same moment", async (context) => {
    const url = postgresUrlOrSkip(context, t);
    const ids = await Promise.all(Array.from({ length: CLAIMS }, () => queuedTask()));
    // A transaction holding `tasks` in SHARE mode makes every claim wait; then all go at once.
    const race = await raceBehindLock(url, [{ sql: "LOCK TABLE tasks IN SHARE MODE" }], CLAIMS, (i) =>
      claimTask(t.db, ids[i]!, 300, oneAtATime),
    );

    const claims = fulfilledValues(race.results);
    expect(race).toMatchObject({ queued: CLAIMS, finishedBeforeRelease: 0 });
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    expect(claims.filter((c) => !c.claimed).map((c) => c.status)).toEqual(Array(CLAIMS - 1).fill("queue busy"));
    expect(await running()).toEqual([{ queue: "solo" }]);
    // The losers were not touched: no attempt used.
    expect(await t.db.first("SELECT count(*)::int AS n FROM tasks WHERE status = 'queued' AND attempts = 0")).toEqual({
      n: CLAIMS - 1,
    });
  });

  it("keeps the slots of different queues apart, and leaves queues without the option alone", async () => {
    expect(await claimTask(t.db, await queuedTask("solo"), 300, oneAtATime)).toMatchObject({ claimed: true });
    expect(await claimTask(t.db, await queuedTask("other-solo"), 300, oneAtATime)).toMatchObject({ claimed: true });
    expect(await claimTask(t.db, await queuedTask("default"), 300)).toMatchObject({ claimed: true });
    expect(await claimTask(t.db, await queuedTask("default"), 300)).toMatchObject({ claimed: true });
    expect(await claimTask(t.db, await queuedTask("solo"), 300, oneAtATime)).toMatchObject({
      claimed: false,
      status: "queue busy",
    });
  });

  it("gives the slot back with every outcome, so the next task starts at once", async () => {
    const outcomes = [
      { status: "succeeded", result: null },
      { status: "retrying", error: "boom", retryInSeconds: 5 },
      { status: "released", retryInSeconds: 5 },
      { status: "failed", error: "boom" },
    ] as const;
    for (const outcome of outcomes) {
      const first = await queuedTask();
      const second = await queuedTask();
      expect(await claimTask(t.db, first, 300, oneAtATime)).toMatchObject({ claimed: true, attempt: 1 });
      expect(await claimTask(t.db, second, 300, oneAtATime)).toMatchObject({ claimed: false, status: "queue busy" });
      expect(await recordOutcome(t.db, first, { attempt: 1, ...outcome })).toBe(true);
      expect(await claimTask(t.db, second, 300, oneAtATime)).toMatchObject({ claimed: true, attempt: 1 });
      await recordOutcome(t.db, second, { attempt: 1, status: "succeeded", result: null });
    }
  });

  it("does not let a late worker give back a slot its attempt no longer holds", async () => {
    const first = await queuedTask();
    expect(await claimTask(t.db, first, 300, oneAtATime)).toMatchObject({ claimed: true, attempt: 1 });
    // Attempt 1's worker died: its lease (and the slot's) ran out, and attempt 2 took both over.
    await t.db.query("UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = :id", {
      id: uuid(first),
    });
    await t.db.query("UPDATE queue_slots SET lease_expires_at = now() - interval '1 second'");
    expect(await claimTask(t.db, first, 300, oneAtATime)).toMatchObject({ claimed: true, attempt: 2 });
    // The dead attempt's late write changes nothing: attempt 2 still holds the queue.
    expect(await recordOutcome(t.db, first, { attempt: 1, status: "succeeded", result: null })).toBe(false);
    expect(await claimTask(t.db, await queuedTask(), 300, oneAtATime)).toMatchObject({
      claimed: false,
      status: "queue busy",
    });
  });

  it("hands the slot of a dead worker to another task once its lease has run out", async () => {
    const first = await queuedTask();
    const second = await queuedTask();
    expect(await claimTask(t.db, first, 300, oneAtATime)).toMatchObject({ claimed: true });
    expect(await claimTask(t.db, second, 300, oneAtATime)).toMatchObject({
      claimed: false,
      status: "queue busy",
      slotLeaseExpiresAt: expect.any(String),
    });
    await t.db.query("UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = :id", {
      id: uuid(first),
    });
    await t.db.query("UPDATE queue_slots SET lease_expires_at = now() - interval '1 second'");
    expect(await claimTask(t.db, second, 300, oneAtATime)).toMatchObject({ claimed: true });
    // The dead worker's task comes back later and waits for its turn like any other.
    expect(await claimTask(t.db, first, 300, oneAtATime)).toMatchObject({ claimed: false, status: "queue busy" });
  });

  it("answers a duplicate delivery of the running task with `running`, and one of a finished task with its status", async () => {
    const id = await queuedTask();
    expect(await claimTask(t.db, id, 300, oneAtATime)).toMatchObject({ claimed: true });
    expect(await claimTask(t.db, id, 300, oneAtATime)).toMatchObject({
      claimed: false,
      status: "running",
      leaseExpiresAt: expect.any(String),
    });
    await recordOutcome(t.db, id, { attempt: 1, status: "succeeded", result: null });
    expect(await claimTask(t.db, id, 300, oneAtATime)).toEqual({
      claimed: false,
      status: "succeeded",
      leaseExpiresAt: null,
    });
    // …without taking the slot: the next task of the queue starts.
    expect(await claimTask(t.db, await queuedTask(), 300, oneAtATime)).toMatchObject({ claimed: true });
    expect(await claimTask(t.db, "00000000-0000-4000-8000-000000000000", 300, oneAtATime)).toEqual({
      claimed: false,
      status: "missing",
    });
  });
});
