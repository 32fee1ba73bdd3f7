import middy from "@middy/core";
import httpRouterHandler from "@middy/http-router";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createScheduleRoutes, type ScheduleRouteDeps } from "../../../functions/api/routes/schedules.js";
import { signLocalToken } from "../../../functions/core/auth/local-token.js";
import { createVerifier } from "../../../functions/core/auth/verifier.js";
import { ConflictError } from "../../../functions/core/errors.js";
import type { Route } from "../../../functions/core/http/route.js";
import type { PeriodicEntry } from "../../../functions/scheduler/periodic.js";
import { enqueueTask } from "../../../functions/tasks/index.js";
import { httpEvent } from "../../support/http-event.js";
import { assertContract } from "../../integration/contract.js";
import { issues } from "./api-callers.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testTaskDeps } from "../../support/task-deps.js";

const secret = new TextEncoder().encode("a-local-signing-secret-of-enough-length-0123456789");
const claims = { issuer: "groundcrew-local", audience: "groundcrew-api" };
const verifier = createVerifier({ ...claims, algorithms: ["HS256"], key: secret, rolesClaim: "roles" });
const tokenFor = (sub: string, roles: string[] = []) => signLocalToken(secret, { ...claims, sub, roles });

/** The code's defaults these tests go back to. */
const entries: PeriodicEntry[] = [
  {
    name: "reports.daily-digest",
    cron: "0 7 * * *",
    timezone: "Europe/Paris",
    enabled: true,
    description: "digest",
    target: { kind: "task", task: "reports.daily-digest", payload: { hours: 24 } },
  },
  {
    name: "maintenance.daily",
    cron: "30 3 * * *",
    timezone: "UTC",
    enabled: true,
    description: "maintenance",
    target: { kind: "maintenance" },
  },
];

describe("schedule routes", () => {
  const t = migratedDatabase(["schedule_overrides", "schedule_state", "tasks"]);
  let routes: Route[];
  let router: middy.MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult>;
  let maintenanceStarts: number;
  let maintenanceRunning: boolean;
  let tokens: { alice: string; bob: string; carol: string };

  beforeAll(async () => {
    tokens = {
      alice: await tokenFor("alice"),
      bob: await tokenFor("bob", ["staff"]),
      carol: await tokenFor("carol", ["admin"]),
    };
  });

  beforeEach(() => {
    maintenanceStarts = 0;
    maintenanceRunning = false;
    const { deps: taskDeps } = testTaskDeps(t.db);
    const deps: ScheduleRouteDeps = {
      db: t.db,
      entries,
      now: () => new Date("2026-06-01T10:00:00Z"),
      enqueue: (task, payload, idempotencyKey) =>
        enqueueTask(taskDeps, { name: task, payload, idempotencyKey, createdBy: "scheduler" }),
      startMaintenance: async () => {
        if (maintenanceRunning) throw new ConflictError("A maintenance run is already in progress");
        maintenanceRunning = true;
        maintenanceStarts += 1;
        return { runId: `run-${maintenanceStarts}`, eventId: `event-${maintenanceStarts}` };
      },
    };
    routes = createScheduleRoutes(
      () => deps,
      async () => verifier,
    );
    router = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().handler(httpRouterHandler(routes));
  });

  async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
    const event = httpEvent({
      httpMethod: method,
      path,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
    const response = await router(event, {} as never);
    const json = response.body ? JSON.parse(response.body) : undefined;
    const contentType = response.headers?.["content-type"] as string | undefined;
    assertContract(routes, { method, path, status: response.statusCode, contentType, body: json });
    return { status: response.statusCode, json };
  }
  const patch = (name: string, body: unknown, token = tokens.carol) =>
    call("PATCH", `/schedules/${encodeURIComponent(name)}`, { token, body });

  it("answers 401 without a token and 403 to non-admins on every schedule route, before reading the body", async () => {
    const routes = [
      ["GET", "/schedules"],
      ["PATCH", "/schedules/reports.daily-digest"],
      ["DELETE", "/schedules/reports.daily-digest/override"],
      ["POST", "/schedules/reports.daily-digest/run"],
    ] as const;
    for (const [method, path] of routes) {
      expect((await call(method, path, { body: { cron: "* * * * * *" } })).status, `${method} ${path} anonymous`).toBe(
        401,
      );
      expect(
        (await call(method, path, { token: tokens.alice, body: { cron: "* * * * * *" } })).status,
        `${method} ${path} alice`,
      ).toBe(403);
      expect(
        (await call(method, path, { token: tokens.bob, body: { enabled: false } })).status,
        `${method} ${path} bob`,
      ).toBe(403);
    }
    expect(await t.db.first("SELECT count(*)::int AS n FROM tasks")).toEqual({ n: 0 });
    expect(await t.db.first("SELECT count(*)::int AS n FROM schedule_overrides")).toEqual({ n: 0 });
  });

  it("lists the schedules for an admin", async () => {
    const listed = await call("GET", "/schedules", { token: tokens.carol });
    expect(listed.status).toBe(200);
    expect(listed.json.items.map((s: { name: string }) => s.name)).toEqual([
      "reports.daily-digest",
      "maintenance.daily",
    ]);
    // 07:00 in Paris in June is 05:00 UTC; it is 10:00 UTC, so the next is tomorrow's.
    expect(listed.json.items[0]).toMatchObject({ nextRunAt: "2026-06-02T05:00:00.000Z", overridden: false });
  });

  describe("PATCH /schedules/{name}", () => {
    const refused: Array<[string, Record<string, unknown>, RegExp]> = [
      ["a seconds field", { cron: "* * * * * *" }, /^body\.cron: expected 5 fields .*got 6; .*no seconds field/],
      ["30 February", { cron: "0 0 30 2 *" }, /^body\.cron: .*never fires/],
      ["31 April", { cron: "0 0 31 4 *" }, /^body\.cron: .*never fires/],
      ["@yearly", { cron: "@yearly" }, /^body\.cron: nicknames .*"0 0 1 1 \*"/],
      ["@reboot", { cron: "@reboot" }, /^body\.cron: nicknames/],
      ["four fields", { cron: "0 0 * *" }, /^body\.cron: expected 5 fields/],
      ["a minute out of range", { cron: "61 * * * *" }, /^body\.cron: .*minute/i],
      ["an empty cron", { cron: "" }, /^body\.cron: /],
      ["a huge cron", { cron: "1,".repeat(5000) + "1 * * * *" }, /^body\.cron: /],
      ["a NUL byte", { cron: "0 0 * * *\u0000" }, /^body\.cron: /],
      ["a lower-case utc", { timezone: "utc" }, /^body\.timezone: write "UTC" instead of "utc"/],
      ["a wrongly cased zone", { timezone: "europe/paris" }, /^body\.timezone: write "Europe\/Paris"/],
      ["a legacy alias", { timezone: "US/Eastern" }, /^body\.timezone: write "America\/New_York"/],
      ["an offset", { timezone: "+01:00" }, /^body\.timezone: .*not an IANA time zone/],
      ["an unknown zone", { timezone: "Mars/Base" }, /^body\.timezone: .*not an IANA time zone/],
      ["an empty zone", { timezone: "" }, /^body\.timezone: /],
      ["a huge zone", { timezone: "A".repeat(10_000) }, /^body\.timezone: /],
      ["an unknown field", { cron: "0 1 * * *", seconds: 5 }, /^body: /],
      ["nothing to change", {}, /^body: give at least one/],
    ];
    for (const [what, body, reason] of refused) {
      it(`refuses ${what} with 400 and the reason, storing nothing`, async () => {
        const response = await patch("reports.daily-digest", body);
        expect(response.status).toBe(400);
        expect(issues(response).join("\n")).toMatch(reason);
        expect(await t.db.first("SELECT count(*)::int AS n FROM schedule_overrides")).toEqual({ n: 0 });
      });
    }

    it("accepts a valid cron and canonical zone, and stores the pattern with single spaces", async () => {
      const response = await patch("reports.daily-digest", { cron: " 0  6 * * 1-5 ", timezone: "America/New_York" });
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ cron: "0 6 * * 1-5", timezone: "America/New_York", overridden: true });
      expect((await patch("reports.daily-digest", { timezone: "UTC" })).json).toMatchObject({
        cron: "0 6 * * 1-5",
        timezone: "UTC",
      });
      expect((await patch("reports.daily-digest", { cron: "0 0 29 2 *" })).status).toBe(200);
    });

    it("answers 404 for an unknown name, including prototype names", async () => {
      for (const name of ["nope", "__proto__", "constructor", "toString", "hasOwnProperty"]) {
        expect((await patch(name, { enabled: false })).status, name).toBe(404);
      }
    });
  });

  describe("PATCH /schedules/{name}: day matching, missed runs, overlap", () => {
    it("shows the defaults, which keep cron's day rule, the latest missed run and overlapping runs", async () => {
      const listed = await call("GET", "/schedules", { token: tokens.carol });
      expect(listed.json.items[0]).toMatchObject({ dayMatching: "or", missed: "latest", overlap: "allow" });
    });

    it("stores each choice, one field at a time, and keeps the others", async () => {
      expect((await patch("reports.daily-digest", { dayMatching: "and" })).json).toMatchObject({
        dayMatching: "and",
        missed: "latest",
        overlap: "allow",
        overridden: true,
      });
      expect((await patch("reports.daily-digest", { missed: "all" })).json).toMatchObject({
        dayMatching: "and",
        missed: "all",
        overlap: "allow",
      });
      expect((await patch("reports.daily-digest", { overlap: "skip", missed: "none" })).json).toMatchObject({
        dayMatching: "and",
        missed: "none",
        overlap: "skip",
        cron: "0 7 * * *",
      });
      const removed = await call("DELETE", "/schedules/reports.daily-digest/override", { token: tokens.carol });
      expect(removed.json).toMatchObject({ dayMatching: "or", missed: "latest", overlap: "allow", overridden: false });
    });

    it("computes the next run with the schedule's day matching", async () => {
      // 10:00 UTC on Monday 1 June 2026; 09:00 in Paris is 07:00 UTC in summer.
      expect((await patch("reports.daily-digest", { cron: "0 9 13 * 5" })).json.nextRunAt).toBe(
        "2026-06-05T07:00:00.000Z",
      );
      expect((await patch("reports.daily-digest", { dayMatching: "and" })).json.nextRunAt).toBe(
        "2026-11-13T08:00:00.000Z",
      );
    });

    const refused: Array<[string, Record<string, unknown>, RegExp]> = [
      ["an unknown day matching", { dayMatching: "both" }, /^body\.dayMatching: /],
      ["an unknown missed policy", { missed: "first" }, /^body\.missed: /],
      ["an unknown overlap policy", { overlap: "queue" }, /^body\.overlap: /],
      [
        "a pattern that never fires with AND",
        { cron: "0 0 30 2 1", dayMatching: "and" },
        /^body\.cron: .*never fires.*day matching "and"/,
      ],
    ];
    for (const [what, body, reason] of refused) {
      it(`refuses ${what} with 400, storing nothing`, async () => {
        const response = await patch("reports.daily-digest", body);
        expect(response.status).toBe(400);
        expect(issues(response).join("\n")).toMatch(reason);
        expect(await t.db.first("SELECT count(*)::int AS n FROM schedule_overrides")).toEqual({ n: 0 });
      });
    }

    it("refuses AND for the current pattern when it could then never fire, and accepts OR for it", async () => {
      // Mondays, or 30 February: fires on Mondays with OR, never with AND.
      expect((await patch("reports.daily-digest", { cron: "0 0 30 2 1" })).status).toBe(200);
      const refused = await patch("reports.daily-digest", { dayMatching: "and" });
      expect(refused.status).toBe(400);
      expect(issues(refused).join("\n")).toMatch(/never fires/);
    });

    it("checks a new pattern against the stored day matching", async () => {
      expect((await patch("reports.daily-digest", { dayMatching: "and" })).status).toBe(200);
      const refused = await patch("reports.daily-digest", { cron: "0 0 30 2 1" });
      expect(refused.status).toBe(400);
      expect(issues(refused).join("\n")).toMatch(/never fires/);
    });
  });

  describe("DELETE /schedules/{name}/override", () => {
    it("goes back to the code's default", async () => {
      await patch("reports.daily-digest", { cron: "15 9 * * *", timezone: "Asia/Tokyo", enabled: false });
      const removed = await call("DELETE", "/schedules/reports.daily-digest/override", { token: tokens.carol });
      expect(removed.status).toBe(200);
      expect(removed.json).toMatchObject({
        cron: "0 7 * * *",
        timezone: "Europe/Paris",
        enabled: true,
        overridden: false,
      });
      expect(await t.db.first("SELECT count(*)::int AS n FROM schedule_overrides")).toEqual({ n: 0 });
      const listed = await call("GET", "/schedules", { token: tokens.carol });
      expect(listed.json.items[0]).toMatchObject({ cron: "0 7 * * *", overridden: false });
    });

    it("leaves other schedules' overrides alone, and is idempotent", async () => {
      await patch("maintenance.daily", { enabled: false });
      expect((await call("DELETE", "/schedules/reports.daily-digest/override", { token: tokens.carol })).status).toBe(
        200,
      );
      expect((await call("GET", "/schedules", { token: tokens.carol })).json.items[1]).toMatchObject({
        enabled: false,
        overridden: true,
      });
    });

    it("answers 404 for an unknown name, including prototype names", async () => {
      for (const name of ["nope", "__proto__", "constructor", "toString"]) {
        expect((await call("DELETE", `/schedules/${name}/override`, { token: tokens.carol })).status, name).toBe(404);
      }
    });
  });

  describe("POST /schedules/{name}/run", () => {
    it("enqueues one run per call, each with its own system-scoped idempotency key", async () => {
      const first = await call("POST", "/schedules/reports.daily-digest/run", { token: tokens.carol });
      const second = await call("POST", "/schedules/reports.daily-digest/run", { token: tokens.carol });
      expect(first.status).toBe(202);
      expect(first.json).toMatchObject({ schedule: "reports.daily-digest", kind: "task", status: "queued" });
      expect(first.json.idempotencyKey).toMatch(/^schedule:reports\.daily-digest:manual:[0-9a-f-]{36}$/);
      expect(second.json.taskId).not.toBe(first.json.taskId);
      const tasks = await t.db.rows<{ id: string; name: string; payload: unknown; created_by: string }>(
        "SELECT id, name, payload, created_by FROM tasks ORDER BY created_at",
      );
      expect(tasks.map((task) => task.id).sort()).toEqual([first.json.taskId, second.json.taskId].sort());
      expect(tasks.every((task) => task.name === "reports.daily-digest" && task.created_by === "scheduler")).toBe(true);
      expect(tasks[0]?.payload).toEqual({ hours: 24 });
    });

    it("runs a disabled schedule by hand, and does not move its last slot", async () => {
      await patch("reports.daily-digest", { enabled: false });
      expect((await call("POST", "/schedules/reports.daily-digest/run", { token: tokens.carol })).status).toBe(202);
      expect(await t.db.first("SELECT count(*)::int AS n FROM schedule_state")).toEqual({ n: 0 });
    });

    it("starts a maintenance run for the maintenance entry, and answers 409 while one is in progress", async () => {
      const started = await call("POST", "/schedules/maintenance.daily/run", { token: tokens.carol });
      expect(started.status).toBe(202);
      expect(started.json).toEqual({
        schedule: "maintenance.daily",
        kind: "maintenance",
        runId: "run-1",
        eventId: "event-1",
      });
      const again = await call("POST", "/schedules/maintenance.daily/run", { token: tokens.carol });
      expect(again.status).toBe(409);
      expect(maintenanceStarts).toBe(1);
    });

    it("answers 404 for an unknown name, including prototype names", async () => {
      for (const name of ["nope", "__proto__", "constructor", "toString", "valueOf"]) {
        expect((await call("POST", `/schedules/${name}/run`, { token: tokens.carol })).status, name).toBe(404);
      }
      expect(await t.db.first("SELECT count(*)::int AS n FROM tasks")).toEqual({ n: 0 });
    });
  });
});
