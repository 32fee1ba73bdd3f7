import { SFNClient } from "@aws-sdk/client-sfn";
import { beforeAll, describe, expect, it } from "vitest";
import { maintenanceRoutesWith } from "../../../functions/api/routes/maintenance.js";
import { loadConfig } from "../../../functions/contracts/config/load.js";
import { emitEvent } from "../../../functions/events/events.js";
import { stepNames } from "../../../functions/maintenance/steps/index.js";
import { migratedDatabase } from "../../support/local-database.js";
import { callerOf, testCallers, testVerifier, type Caller, issues } from "./api-callers.js";

describe("maintenance and event routes", () => {
  const t = migratedDatabase(["maintenance_step_overrides", "events"]);
  let tokens: Awaited<ReturnType<typeof testCallers>>;
  let call: Caller;

  beforeAll(async () => {
    tokens = await testCallers();
    const config = loadConfig("local");
    call = callerOf(
      maintenanceRoutesWith({
        db: () => t.db,
        config: () => config,
        // Never reached here: every call below is refused or answered before a run would start.
        maintenance: () => ({
          sfn: new SFNClient({ region: "us-east-1" }),
          stateMachineArn: "arn:aws:states:us-east-1:0:stateMachine:none",
          db: t.db,
        }),
        verifier: testVerifier,
      }),
    );
  });

  it("are for admins: 401 anonymous, 403 for users, including GET /events", async () => {
    const routes = [
      ["GET", "/maintenance/steps"],
      ["PATCH", "/maintenance/steps/vacuum"],
      ["POST", "/maintenance/runs"],
      ["GET", "/events"],
    ] as const;
    for (const [method, path] of routes) {
      expect((await call(method, path, { body: { enabled: false } })).statusCode, `${method} ${path}`).toBe(401);
      expect(
        (await call(method, path, { token: tokens.alice, body: { enabled: false } })).statusCode,
        `${method} ${path}`,
      ).toBe(403);
      expect(
        (await call(method, path, { token: tokens.bob, body: { enabled: false } })).statusCode,
        `${method} ${path}`,
      ).toBe(403);
    }
  });

  it("lists events for admins, filtered by topic", async () => {
    await emitEvent({ db: t.db }, { topic: "server.maintenance", status: "finished" });
    await emitEvent({ db: t.db }, { topic: "other", status: "pending" });
    const all = await call("GET", "/events", { token: tokens.carol });
    expect(all.statusCode).toBe(200);
    expect(all.json.items).toHaveLength(2);
    const some = await call("GET", "/events", {
      token: tokens.carol,
      query: { topic: "server.maintenance", limit: "5" },
    });
    expect(some.json.items.map((e: { topic: string }) => e.topic)).toEqual(["server.maintenance"]);
  });

  it("answers 400 to a topic with a NUL character or a lone surrogate", async () => {
    for (const [topic, issue] of [
      ["a\u0000", "query.topic: contains a NUL character"],
      ["\ud800", "query.topic: contains a lone surrogate (not valid Unicode)"],
    ] as const) {
      const response = await call("GET", "/events", { token: tokens.carol, query: { topic } });
      expect(response.statusCode).toBe(400);
      expect(issues(response)).toEqual([issue]);
    }
  });

  it("switches a known step and answers 404 to any other name, the Object prototype's members included", async () => {
    const known = stepNames[0] as string;
    const patched = await call("PATCH", `/maintenance/steps/${known}`, {
      token: tokens.carol,
      body: { enabled: false },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json).toMatchObject({ name: known, enabled: false, source: "override" });
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "nope"]) {
      const response = await call("PATCH", `/maintenance/steps/${name}`, {
        token: tokens.carol,
        body: { enabled: true },
      });
      expect(response.statusCode, name).toBe(404);
    }
    expect(await t.db.rows("SELECT name FROM maintenance_step_overrides")).toEqual([{ name: known }]);
  });

  it("answers 400 to a failAt that names no step, before starting anything", async () => {
    const response = await call("POST", "/maintenance/runs", { token: tokens.carol, body: { failAt: "__proto__" } });
    expect(response.statusCode).toBe(400);
    expect(issues(response)[0]).toMatch(/^body\.failAt: not a maintenance step/);
  });
});
