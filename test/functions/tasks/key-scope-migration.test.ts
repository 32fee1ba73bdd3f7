import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../../functions/setup/migrate.js";
import { migrations } from "../../../functions/setup/migrations/index.js";
import { enqueueTask } from "../../../functions/tasks/enqueue.js";
import { startTestDatabase, type TestDatabase } from "../../support/local-database.js";
import { testTaskDeps } from "../../support/task-deps.js";

describe("migration 0007_task_key_scopes", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await startTestDatabase();
  });
  afterAll(() => t.close());

  it("gives rows from before a scope from who created them, and keeps their keys working", async () => {
    const upTo = migrations.findIndex((m) => m.id === "0007_task_key_scopes");
    expect(upTo).toBeGreaterThan(0);
    await migrate(t.db, migrations.slice(0, upTo));
    const insert = (createdBy: string | null, key: string, uniqueKey: string | null = null) =>
      t.db.query(
        `INSERT INTO tasks (name, queue, payload, status, max_attempts, created_by, idempotency_key, unique_key)
         VALUES ('diagnostics.echo', 'default', '{"message": "old"}', 'queued', 3, :createdBy, :key, :uniqueKey)`,
        { createdBy, key, uniqueKey },
      );
    await insert("alice", "invoice-42", "rebuild:part-1");
    await insert("scheduler", "schedule:reports.daily-digest:2026-05-01T00:00Z");
    await insert(null, "script-1");

    await migrate(t.db, migrations);
    expect(await t.db.rows("SELECT created_by AS who, key_scope AS scope FROM tasks ORDER BY idempotency_key")).toEqual(
      [
        { who: "alice", scope: "user:alice" },
        { who: "scheduler", scope: "system" },
        { who: null, scope: "system" },
      ],
    );

    const { deps } = testTaskDeps(t.db);
    const echo = { name: "diagnostics.echo", payload: { message: "new" } };
    const alice = { sub: "alice", roles: ["admin"] };
    const bob = { sub: "bob", roles: ["admin"] };
    expect(await enqueueTask(deps, { ...echo, idempotencyKey: "invoice-42", caller: alice })).toMatchObject({
      duplicate: true,
    });
    expect(await enqueueTask(deps, { ...echo, uniqueKey: "rebuild:part-1", caller: alice })).toMatchObject({
      duplicate: true,
    });
    expect(await enqueueTask(deps, { ...echo, idempotencyKey: "invoice-42", caller: bob })).toMatchObject({
      duplicate: false,
    });
    expect(
      await enqueueTask(deps, { ...echo, idempotencyKey: "schedule:reports.daily-digest:2026-05-01T00:00Z" }),
    ).toMatchObject({ duplicate: true });
  });
});
