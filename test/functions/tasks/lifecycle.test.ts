import { describe, expect, it } from "vitest";
import { uuid } from "../../../functions/core/db/parameters.js";
import { claimTask, claimTasks, recordOutcome, recordOutcomes } from "../../../functions/tasks/lifecycle.js";
import { fulfilledValues, postgresUrlOrSkip, raceBehindLock } from "../../support/contention.js";
import { migratedDatabase } from "../../support/local-database.js";

const CLAIMS = 8;

describe("claimTask under contention", () => {
  const t = migratedDatabase(["tasks"]);

  const queuedTask = async () => {
    const row = await t.db.first<{ id: string }>(
      `INSERT INTO tasks (name, queue, payload, status, max_attempts)
       VALUES ('diagnostics.echo', 'default', '{}', 'queued', 3) RETURNING id`,
    );
    return row!.id;
  };

  it("gives a task to exactly one of many simultaneous deliveries; every other one sees it running", async (context) => {
    const url = postgresUrlOrSkip(context, t);
    const id = await queuedTask();
    // Another transaction holds the task's row: every claim queues behind it, then all go at once.
    const race = await raceBehindLock(
      url,
      [{ sql: "SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", values: [id] }],
      CLAIMS,
      () => claimTask(t.db, id, 300),
      { release: "commit" },
    );

    const claims = fulfilledValues(race.results);
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    // A loser must not report the status from before the winner's claim: "queued" would make the
    // worker delete a duplicate delivery of a running task instead of retrying it later.
    expect(claims.filter((c) => !c.claimed).map((c) => c.status)).toEqual(Array(CLAIMS - 1).fill("running"));
    expect(await t.db.first("SELECT status, attempts FROM tasks WHERE id = :id", { id: uuid(id) })).toEqual({
      status: "running",
      attempts: 1,
    });
    // The calls really overlapped: all of them were waiting on the lock at the same moment.
    expect(race).toMatchObject({ queued: CLAIMS, finishedBeforeRelease: 0 });
  });
});

describe("releaseTask and recordOutcome", () => {
  const t = migratedDatabase(["tasks"]);

  const runningTask = async (attempts: number) => {
    const row = await t.db.first<{ id: string }>(
      `INSERT INTO tasks (name, queue, payload, status, attempts, max_attempts, lease_expires_at)
       VALUES ('diagnostics.echo', 'default', '{}', 'running', :attempts, 3, now() + interval '1 minute') RETURNING id`,
      { attempts },
    );
    return row!.id;
  };
  const row = (id: string) =>
    t.db.first(
      "SELECT status, attempts, max_attempts, lease_expires_at, wake_due_at > now() AS later FROM tasks WHERE id = :id",
      { id: uuid(id) },
    );

  it("gives an attempt that met a database outage back without using up the budget, and never renumbers attempts", async () => {
    const id = await runningTask(3);
    expect(await recordOutcome(t.db, id, { attempt: 3, status: "released", retryInSeconds: 30 })).toBe(true);
    expect(await row(id)).toEqual({
      status: "retrying",
      attempts: 3,
      max_attempts: 4,
      lease_expires_at: null,
      later: true,
    });
    // The next claim is attempt 4, and it may still run.
    expect(await claimTask(t.db, id, 60)).toMatchObject({ claimed: true, attempt: 4, maxAttempts: 4 });
  });

  it("records nothing for an attempt that is no longer the task's current one", async () => {
    const id = await runningTask(2);
    for (const outcome of [
      { attempt: 1, status: "succeeded", result: 1 },
      { attempt: 1, status: "retrying", error: "x", retryInSeconds: 1 },
      { attempt: 1, status: "failed", error: "x" },
      { attempt: 1, status: "released", retryInSeconds: 1 },
    ] as const) {
      expect(await recordOutcome(t.db, id, outcome), outcome.status).toBe(false);
    }
    expect(await row(id)).toMatchObject({ status: "running", attempts: 2, max_attempts: 3 });
  });

  it("records a batch's outcomes in one statement and answers which ones landed", async () => {
    const [done, stale, returned] = [await runningTask(1), await runningTask(2), await runningTask(1)];
    const recorded = await recordOutcomes(t.db, [
      { id: done, attempt: 1, status: "succeeded", result: null },
      { id: stale, attempt: 1, status: "failed", error: "late" },
      { id: returned, attempt: 1, status: "returned", retryInSeconds: 0 },
    ]);
    expect([...recorded].sort()).toEqual([done, returned].sort());
    const succeeded = await t.db.first("SELECT status, result, progress FROM tasks WHERE id = :id", { id: uuid(done) });
    expect(succeeded).toEqual({ status: "succeeded", result: null, progress: 100 });
    expect(await row(stale)).toMatchObject({ status: "running", attempts: 2 });
    // Given back unstarted: waiting again, and the attempt it used is not counted.
    expect(await row(returned)).toMatchObject({
      status: "retrying",
      attempts: 1,
      max_attempts: 4,
      lease_expires_at: null,
    });
  });
});

describe("claimTasks", () => {
  const t = migratedDatabase(["tasks"]);

  const queuedTasks = async (count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const row = await t.db.first<{ id: string }>(
        `INSERT INTO tasks (name, queue, payload, status, max_attempts)
         VALUES ('diagnostics.echo', 'default', '{}', 'queued', 3) RETURNING id`,
      );
      ids.push(row!.id);
    }
    return ids.sort();
  };

  it("lets two workers claim overlapping batches named in opposite orders without a deadlock, each task once", async (context) => {
    const url = postgresUrlOrSkip(context, t);
    const ids = await queuedTasks(7);
    // The middle task is held: each claim locks what comes before it in its own order, then waits there.
    const race = await raceBehindLock(
      url,
      [{ sql: "SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", values: [ids[3]] }],
      2,
      (i) => claimTasks(t.db, i === 0 ? ids : [...ids].reverse(), 300),
    );
    expect(race).toMatchObject({ queued: 2, finishedBeforeRelease: 0 });
    const [a, b] = fulfilledValues(race.results);
    for (const id of ids) expect([a!.get(id)!.claimed, b!.get(id)!.claimed].filter(Boolean), id).toHaveLength(1);
    expect(await t.db.first("SELECT count(*)::int AS n FROM tasks WHERE status = 'running' AND attempts = 1")).toEqual({
      n: 7,
    });
  });

  it("reads back the state of what it could not claim, and reports unknown ids as missing", async () => {
    const [running, queued, done] = await queuedTasks(3);
    await t.db.query(
      "UPDATE tasks SET status = 'running', attempts = 1, lease_expires_at = now() + interval '1 minute' WHERE id = :id",
      {
        id: uuid(running!),
      },
    );
    await t.db.query("UPDATE tasks SET status = 'succeeded', attempts = 1 WHERE id = :id", { id: uuid(done!) });
    const missing = "00000000-0000-4000-8000-000000000000";
    const claims = await claimTasks(t.db, [running!, queued!, done!, missing, queued!.toUpperCase()], 60);
    expect(claims.size).toBe(4);
    expect(claims.get(running!)).toEqual({ claimed: false, status: "running", leaseExpiresAt: expect.any(String) });
    expect(claims.get(queued!)).toEqual({ claimed: true, payload: {}, attempt: 1, maxAttempts: 3 });
    expect(claims.get(done!)).toEqual({ claimed: false, status: "succeeded", leaseExpiresAt: null });
    expect(claims.get(missing)).toEqual({ claimed: false, status: "missing" });
  });
});
