import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createProjectRoutes } from "../../../functions/api/routes/projects.js";
import { createSettingsRoutes } from "../../../functions/api/routes/settings.js";
import { MemoryMailer } from "../../../functions/notifications/memory-mailer.js";
import type { ItemChange } from "../../../functions/notifications/notify.js";
import { callerOf, testCallers, testVerifier, type Caller } from "../api/api-callers.js";
import { migratedDatabase } from "../../support/local-database.js";

describe("project and settings routes", () => {
  const t = migratedDatabase(["items", "project_members", "projects", "settings"]);
  let tokens: Awaited<ReturnType<typeof testCallers>>;
  let call: Caller;
  let mailer: MemoryMailer;
  let enqueued: ItemChange[];

  beforeAll(async () => {
    tokens = await testCallers();
  });

  beforeEach(() => {
    mailer = new MemoryMailer();
    enqueued = [];
    const db = () => t.db;
    call = callerOf([
      ...createProjectRoutes({
        db,
        configured: () => "",
        mailer: () => mailer,
        enqueue: async (change) => {
          enqueued.push(change);
          return { id: `task-${enqueued.length}` };
        },
        verifier: testVerifier,
      }),
      ...createSettingsRoutes({ db, configured: () => "", verifier: testVerifier }),
    ]);
  });

  async function aliceProject() {
    const created = await call("POST", "/projects", {
      token: tokens.alice,
      body: { name: "Apollo", email: "alice@example.com" },
    });
    expect(created.statusCode).toBe(201);
    return created.json.id as string;
  }

  it("members see their project; another user gets 404 on every project route; an admin sees it", async () => {
    const id = await aliceProject();
    const item = await call("POST", `/projects/${id}/items`, { token: tokens.alice, body: { title: "Launch" } });
    const itemId = item.json.item.id as string;
    const asBob = [
      await call("GET", `/projects/${id}`, { token: tokens.bob }),
      await call("POST", `/projects/${id}/members`, { token: tokens.bob, body: { userId: "bob" } }),
      await call("POST", `/projects/${id}/items`, { token: tokens.bob, body: { title: "x" } }),
      await call("PATCH", `/projects/${id}/items/${itemId}`, { token: tokens.bob, body: { title: "x" } }),
    ];
    expect(asBob.map((r) => r.statusCode)).toEqual([404, 404, 404, 404]);
    expect((await call("GET", "/projects", { token: tokens.bob })).json.items).toEqual([]);
    expect((await call("GET", `/projects/${id}`, { token: tokens.carol })).statusCode).toBe(200);
    expect((await call("GET", `/projects/${id}`)).statusCode).toBe(401);
    // Bob once added is a member and sees it.
    await call("POST", `/projects/${id}/members`, {
      token: tokens.alice,
      body: { userId: "bob", email: "bob@example.com" },
    });
    expect((await call("GET", `/projects/${id}`, { token: tokens.bob })).json.members).toEqual([
      { userId: "alice", email: "alice@example.com", subscribed: true },
      { userId: "bob", email: "bob@example.com", subscribed: true },
    ]);
  });

  it("inline by default: the answer comes after the emails are sent", async () => {
    const id = await aliceProject();
    const created = await call("POST", `/projects/${id}/items`, { token: tokens.alice, body: { title: "Launch" } });
    expect(created.json.notification).toEqual({ mode: "inline", recipients: 1, sent: 1, failed: 0 });
    expect(mailer.sent.map((e) => e.to)).toEqual(["alice@example.com"]);
    expect(enqueued).toEqual([]);
  });

  it("the admin's switch applies to the next update; users may not touch it", async () => {
    const id = await aliceProject();
    const created = await call("POST", `/projects/${id}/items`, { token: tokens.alice, body: { title: "Launch" } });
    const itemId = created.json.item.id as string;
    expect(
      (await call("PATCH", "/settings/notifications", { token: tokens.alice, body: { async: "all" } })).statusCode,
    ).toBe(403);
    const switched = await call("PATCH", "/settings/notifications", { token: tokens.carol, body: { async: [id] } });
    expect(switched.json).toEqual({ configured: "", override: [id], effective: [id] });
    const updated = await call("PATCH", `/projects/${id}/items/${itemId}`, {
      token: tokens.alice,
      body: { title: "Launched" },
    });
    expect(updated.json).toMatchObject({ item: { version: 2 }, notification: { mode: "async", taskId: "task-1" } });
    expect(enqueued).toEqual([{ projectId: id, itemId, change: "updated", actor: "alice" }]);
    expect(mailer.sent).toHaveLength(1);
    await call("PATCH", "/settings/notifications", { token: tokens.carol, body: { async: null } });
    const back = await call("PATCH", `/projects/${id}/items/${itemId}`, { token: tokens.alice, body: { body: "go" } });
    expect(back.json.notification).toMatchObject({ mode: "inline", sent: 1 });
    expect((await call("GET", "/settings/notifications", { token: tokens.carol })).json).toEqual({
      configured: "",
      override: null,
      effective: "",
    });
  });

  it("refuses bad input before anything is written", async () => {
    const id = await aliceProject();
    expect((await call("GET", "/projects/not-a-uuid", { token: tokens.alice })).statusCode).toBe(400);
    expect(
      (await call("POST", `/projects/${id}/members`, { token: tokens.alice, body: { userId: "x", subscribed: true } }))
        .statusCode,
    ).toBe(400);
    expect((await call("PATCH", `/projects/${id}/items/${id}`, { token: tokens.alice, body: {} })).statusCode).toBe(
      400,
    );
    expect(
      (await call("PATCH", "/settings/notifications", { token: tokens.carol, body: { async: "some" } })).statusCode,
    ).toBe(400);
    expect(
      (await call("PATCH", `/projects/${id}/items/${id}`, { token: tokens.alice, body: { title: "x" } })).statusCode,
    ).toBe(404);
  });
});
