import { describe, expect, it } from "vitest";
import * as z from "zod";
import type { Principal } from "../../../functions/core/auth/principal.js";
import { defineTask } from "../../../functions/tasks/definition.js";
import { enqueueTask } from "../../../functions/tasks/enqueue.js";
import { taskRegistry } from "../../../functions/tasks/registry.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testTaskDeps } from "../../support/task-deps.js";

const alice: Principal = { sub: "alice", roles: [] };
const carol: Principal = { sub: "carol", roles: ["admin"] };

describe("task access in the definition", () => {
  it("gives every registered task the access its purpose calls for", () => {
    const access = Object.fromEntries([...taskRegistry.values()].map((d) => [d.name, d.access]));
    expect(access).toEqual({
      "diagnostics.echo": "admin",
      "diagnostics.long-echo": "admin",
      "diagnostics.runaway": "admin",
      "housekeeping.expire-idempotency-keys": "internal",
      "notifications.send": "internal",
      "reports.daily-digest": "internal",
      "reports.task-stats": "user",
    });
    expect(taskRegistry.get("reports.task-stats")?.fromCaller.owner?.(alice)).toBe("alice");
    expect(taskRegistry.get("diagnostics.echo")?.localOnly).toEqual(["crashOnAttempt"]);
  });

  it("defaults to admin, so a task is opened to users only on purpose", () => {
    const task = defineTask({ name: "demo.quiet", payload: z.object({}), run: async () => null });
    expect(task.access).toBe("admin");
  });

  it("refuses a user task that does not say which fields come from the caller", () => {
    expect(() =>
      defineTask({ name: "demo.open", access: "user", payload: z.object({}), run: async () => null }),
    ).toThrow(/fromCaller/);
    expect(() =>
      defineTask({
        name: "demo.report",
        access: "user",
        fromCaller: {},
        payload: z.object({ owner: z.string(), days: z.number() }),
        run: async () => null,
      }),
    ).toThrow(/owner would name a user/);
    const bound = defineTask({
      name: "demo.report",
      access: "user",
      fromCaller: { owner: (caller) => caller.sub },
      payload: z.object({ owner: z.string(), days: z.number() }),
      run: async () => null,
    });
    expect(bound.access).toBe("user");
  });
});

describe("enqueueTask from the API", () => {
  const t = migratedDatabase(["tasks"]);
  const stats = { name: "reports.task-stats", payload: { hours: 1 } };

  it("lets nobody start an internal task through the API, admins included; the system may", async () => {
    const { deps, sent } = testTaskDeps(t.db);
    for (const name of ["housekeeping.expire-idempotency-keys", "reports.daily-digest"]) {
      const payload = name === "reports.daily-digest" ? { hours: 24 } : { olderThanHours: 1 };
      for (const caller of [alice, carol]) {
        await expect(enqueueTask(deps, { name, payload, caller })).rejects.toMatchObject({ statusCode: 403 });
      }
      await expect(enqueueTask(deps, { name, payload, createdBy: "scheduler" })).resolves.toMatchObject({
        duplicate: false,
      });
    }
    expect(sent()).toHaveLength(2);
    expect(await t.db.rows("SELECT created_by AS who, key_scope AS scope FROM tasks")).toEqual([
      { who: "scheduler", scope: "system" },
      { who: "scheduler", scope: "system" },
    ]);
  });

  it("keeps admin tasks for admins, and says 403 before looking at the payload", async () => {
    const { deps } = testTaskDeps(t.db);
    await expect(
      enqueueTask(deps, { name: "diagnostics.echo", payload: { message: "hi" }, caller: alice }),
    ).rejects.toMatchObject({ statusCode: 403 });
    await expect(
      enqueueTask(deps, { name: "diagnostics.echo", payload: { message: 1 }, caller: alice }),
    ).rejects.toMatchObject({ statusCode: 403 });
    await expect(
      enqueueTask(deps, { name: "diagnostics.echo", payload: { message: "hi" }, caller: carol }),
    ).resolves.toMatchObject({ duplicate: false });
    await expect(enqueueTask(deps, { name: "nope.task", payload: {}, caller: alice })).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it("takes the report's owner from the token and records the caller, whatever the request says", async () => {
    const { deps } = testTaskDeps(t.db);
    await enqueueTask(deps, { ...stats, caller: alice, createdBy: "mallory" });
    await enqueueTask(deps, { name: "reports.task-stats", payload: { owner: "alice" }, caller: alice });
    expect(
      await t.db.rows("SELECT payload, created_by AS who, key_scope AS scope FROM tasks ORDER BY created_at"),
    ).toEqual([
      { payload: { hours: 1, owner: "alice", everyone: false }, who: "alice", scope: "user:alice" },
      { payload: { hours: 24, owner: "alice", everyone: false }, who: "alice", scope: "user:alice" },
    ]);
  });

  it("lets only an admin's report count everyone's tasks, whatever the body asks", async () => {
    const { deps } = testTaskDeps(t.db);
    await expect(
      enqueueTask(deps, { name: "reports.task-stats", payload: { everyone: true }, caller: alice }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await enqueueTask(deps, { name: "reports.task-stats", payload: {}, caller: carol });
    expect(await t.db.rows("SELECT payload->'everyone' AS everyone FROM tasks")).toEqual([{ everyone: true }]);
  });

  it("refuses a body that names another user as the owner, and stores nothing", async () => {
    const { deps, sent } = testTaskDeps(t.db);
    for (const caller of [alice, carol]) {
      await expect(
        enqueueTask(deps, { name: "reports.task-stats", payload: { owner: "bob" }, caller }),
      ).rejects.toMatchObject({
        statusCode: 400,
        issues: ["payload.owner: set from your token; leave it out"],
      });
    }
    expect(sent()).toEqual([]);
    expect(await t.db.rows("SELECT id FROM tasks")).toEqual([]);
  });

  it("accepts the worker-crashing switch only in the local stage", async () => {
    const { deps } = testTaskDeps(t.db);
    const crash = { name: "diagnostics.echo", payload: { message: "x", crashOnAttempt: 1 }, caller: carol };
    for (const options of [{}, { stage: "prod" }]) {
      await expect(enqueueTask(deps, crash, options)).rejects.toMatchObject({
        statusCode: 400,
        issues: ["payload.crashOnAttempt: only accepted in the local stage"],
      });
    }
    await expect(enqueueTask(deps, crash, { stage: "local" })).resolves.toMatchObject({ duplicate: false });
    await expect(
      enqueueTask(deps, { ...crash, payload: { message: "x", failTimes: 1 } }, { stage: "prod" }),
    ).resolves.toMatchObject({ duplicate: false });
  });
});
