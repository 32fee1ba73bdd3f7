import { describe, expect, it } from "vitest";
import { uuid } from "../../../functions/core/db/parameters.js";
import { claimTask } from "../../../functions/tasks/lifecycle.js";
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
    const race = await raceBehindLock(url, [{ sql: "SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", values: [id] }], CLAIMS, () => claimTask(t.db, id, 300), { release: "commit" });

    const claims = fulfilledValues(race.results);
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    // A loser must not report the status from before the winner's claim: "queued" would make the
    // worker delete a duplicate delivery of a running task instead of retrying it later.
    expect(claims.filter((c) => !c.claimed).map((c) => c.status)).toEqual(Array(CLAIMS - 1).fill("running"));
    expect(await t.db.first("SELECT status, attempts FROM tasks WHERE id = :id", { id: uuid(id) })).toEqual({ status: "running", attempts: 1 });
    // The calls really overlapped: all of them were waiting on the lock at the same moment.
    expect(race).toMatchObject({ queued: CLAIMS, finishedBeforeRelease: 0 });
  });
});
