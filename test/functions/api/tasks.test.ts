import middy from "@middy/core";
import httpRouterHandler from "@middy/http-router";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { uuid } from "../../../functions/core/db/parameters.js";
import { createTaskRoutes } from "../../../functions/api/routes/tasks.js";
import { VALIDATION_PROBLEM_TYPE } from "../../../functions/contracts/api/problem.js";
import type { Route } from "../../../functions/core/http/route.js";
import { assertContract } from "../../integration/contract.js";
import { signLocalToken } from "../../../functions/core/auth/local-token.js";
import { createVerifier } from "../../../functions/core/auth/verifier.js";
import { httpEvent } from "../../support/http-event.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testTaskDeps } from "../../support/task-deps.js";
import { acceptBatches, batchedTaskIds } from "../tasks/wake-up-mocks.js";

const secret = new TextEncoder().encode("a-local-signing-secret-of-enough-length-0123456789");
const claims = { issuer: "groundcrew-local", audience: "groundcrew-api" };
const verifier = createVerifier({ ...claims, algorithms: ["HS256"], key: secret, rolesClaim: "roles" });
const tokenFor = (sub: string, roles: string[] = []) => signLocalToken(secret, { ...claims, sub, roles });

describe("task routes", () => {
  const t = migratedDatabase(["tasks"]);
  let stage = "prod";
  let routes: Route[];
  let router: middy.MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult>;
  const tokens: Record<string, string> = {};
  let sqsMock: ReturnType<typeof testTaskDeps>["sqsMock"];

  beforeEach(async () => {
    stage = "prod";
    const test = testTaskDeps(t.db);
    const { deps } = test;
    sqsMock = test.sqsMock;
    acceptBatches(sqsMock);
    routes = createTaskRoutes({
      tasks: () => deps,
      settings: () => ({ maxTaskPayloadBytes: 10_000, stage }),
      verifier: async () => verifier,
    });
    router = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().handler(httpRouterHandler(routes));
    tokens.alice = await tokenFor("alice");
    tokens.bob = await tokenFor("bob");
    tokens.carol = await tokenFor("carol", ["admin"]);
  });

  async function call(
    method: string,
    path: string,
    options: { as?: string; body?: unknown; query?: Record<string, string> } = {},
  ) {
    const token = options.as ? tokens[options.as] : undefined;
    const event = httpEvent({
      httpMethod: method,
      path,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: options.body === undefined ? null : JSON.stringify(options.body),
      queryStringParameters: options.query ?? null,
    });
    const response = await router(event, {} as never);
    const json = response.body ? JSON.parse(response.body) : undefined;
    const contentType = response.headers?.["content-type"] as string | undefined;
    assertContract(routes, { method, path, status: response.statusCode, contentType, body: json });
    return { status: response.statusCode, json };
  }
  const enqueue = (as: string | undefined, body: unknown) => call("POST", "/tasks", { as, body });

  it("answers POST /tasks by the task's access: user, admin, internal, unknown", async () => {
    const echo = { name: "diagnostics.echo", payload: { message: "hi" } };
    const stats = { name: "reports.task-stats", payload: {} };
    const housekeeping = { name: "housekeeping.expire-idempotency-keys", payload: { olderThanHours: 1 } };
    const digest = { name: "reports.daily-digest", payload: { hours: 24 } };
    const unknown = { name: "nope.task", payload: {} };
    const expected: [unknown, Record<string, number>][] = [
      [stats, { anonymous: 401, alice: 202, carol: 202 }],
      [echo, { anonymous: 401, alice: 403, carol: 202 }],
      [housekeeping, { anonymous: 401, alice: 403, carol: 403 }],
      [digest, { anonymous: 401, alice: 403, carol: 403 }],
      [unknown, { anonymous: 401, alice: 400, carol: 400 }],
    ];
    for (const [body, statuses] of expected) {
      for (const [who, status] of Object.entries(statuses)) {
        expect({ body, who, status: (await enqueue(who === "anonymous" ? undefined : who, body)).status }).toEqual({
          body,
          who,
          status,
        });
      }
    }
    expect((await enqueue(undefined, "{not json")).status).toBe(401);
  });

  describe("POST /tasks/batch", () => {
    const batch = (as: string | undefined, tasks: unknown[]) => call("POST", "/tasks/batch", { as, body: { tasks } });
    const stats = (hours: number, extra: Record<string, unknown> = {}) => ({
      name: "reports.task-stats",
      payload: { hours },
      ...extra,
    });

    it("answers in request order with id, status and duplicate, under the caller's own key scope", async () => {
      const first = await batch("alice", [
        stats(1, { idempotencyKey: "k" }),
        stats(2, { delaySeconds: 3_600 }),
        stats(3, { idempotencyKey: "k" }),
      ]);
      expect(first.status).toBe(202);
      const [a, later, a2] = first.json.tasks;
      expect([a.status, a.duplicate, later.status, a2.duplicate]).toEqual(["queued", false, "scheduled", true]);
      expect(a2.id).toBe(a.id);
      // bob's "k" is his own.
      const bobs = await batch("bob", [stats(1, { idempotencyKey: "k" })]);
      expect(bobs.json.tasks[0]).toMatchObject({ duplicate: false });
      expect(bobs.json.tasks[0].id).not.toBe(a.id);
    });

    it("is all or nothing: a task the caller may not start refuses the batch (403), a bad one 400, naming the item", async () => {
      const forbidden = await batch("alice", [stats(1), { name: "diagnostics.echo", payload: { message: "hi" } }]);
      expect(forbidden.status).toBe(403);
      expect(forbidden.json.detail).toMatch(/tasks\[1\]/);
      const invalid = await batch("carol", [stats(1), stats(2), { name: "diagnostics.echo", payload: { message: 7 } }]);
      expect(invalid.status).toBe(400);
      expect(invalid.json.errors).toEqual([
        { path: "body.tasks.2.payload.message", message: expect.any(String) as string },
      ]);
      expect(await t.db.rows("SELECT id FROM tasks")).toEqual([]);
      expect((await batch(undefined, [stats(1)])).status).toBe(401);
    });

    it("takes 1 to 100 tasks", async () => {
      expect((await batch("carol", [])).status).toBe(400);
      expect(
        (
          await batch(
            "carol",
            Array.from({ length: 101 }, (_, i) => stats((i % 24) + 1)),
          )
        ).status,
      ).toBe(400);
      expect(
        (
          await batch(
            "carol",
            Array.from({ length: 100 }, (_, i) => stats((i % 24) + 1)),
          )
        ).status,
      ).toBe(202);
    });
  });

  it("writes bob's report into bob's media, never alice's", async () => {
    const mine = await enqueue("bob", { name: "reports.task-stats", payload: { hours: 2 } });
    expect(mine.status).toBe(202);
    const stolen = await enqueue("bob", { name: "reports.task-stats", payload: { owner: "alice" } });
    expect(stolen).toEqual({
      status: 400,
      json: {
        type: VALIDATION_PROBLEM_TYPE,
        title: "Invalid request",
        status: 400,
        detail: "body.payload.owner: set from your token; leave it out",
        errors: [{ path: "body.payload.owner", message: "set from your token; leave it out" }],
      },
    });
    expect(await t.db.rows("SELECT payload->>'owner' AS owner, created_by AS who FROM tasks")).toEqual([
      { owner: "bob", who: "bob" },
    ]);
  });

  it("gives bob his own task for alice's idempotency key, and hides alice's task from him", async () => {
    const hers = await enqueue("alice", {
      name: "reports.task-stats",
      payload: { hours: 1 },
      idempotencyKey: "invoice-42",
    });
    const his = await enqueue("bob", {
      name: "reports.task-stats",
      payload: { hours: 5 },
      idempotencyKey: "invoice-42",
    });
    expect(hers).toMatchObject({ status: 202, json: { duplicate: false } });
    expect(his).toMatchObject({ status: 202, json: { status: "queued", duplicate: false } });
    expect(his.json.id).not.toBe(hers.json.id);
    expect(
      await enqueue("alice", { name: "reports.task-stats", payload: { hours: 1 }, idempotencyKey: "invoice-42" }),
    ).toMatchObject({
      status: 202,
      json: { id: hers.json.id, duplicate: true },
    });
    expect((await call("GET", `/tasks/${hers.json.id}`, { as: "bob" })).status).toBe(404);
    expect((await call("GET", `/tasks/${hers.json.id}`, { as: "carol" })).status).toBe(200);
    expect((await call("GET", "/tasks", { as: "bob" })).json.items.map((task: { id: string }) => task.id)).toEqual([
      his.json.id,
    ]);
  });

  it("filters GET /tasks by creator for an admin; a user may name only herself (403 for anyone else)", async () => {
    const task = { name: "reports.task-stats", payload: { hours: 1 } };
    const hers = (await enqueue("alice", task)).json.id as string;
    const his = (await enqueue("bob", task)).json.id as string;
    const ids = async (as: string, query?: Record<string, string>) => {
      const answer = await call("GET", "/tasks", { as, query });
      expect(answer.status).toBe(200);
      return answer.json.items.map((t: { id: string }) => t.id);
    };

    expect(await ids("carol")).toEqual([his, hers]);
    expect(await ids("carol", { createdBy: "alice" })).toEqual([hers]);
    expect(await ids("carol", { createdBy: "bob" })).toEqual([his]);
    expect(await ids("carol", { createdBy: "nobody" })).toEqual([]);

    expect(await ids("alice")).toEqual([hers]);
    expect(await ids("alice", { createdBy: "alice" })).toEqual([hers]);
    const refused = await call("GET", "/tasks", { as: "alice", query: { createdBy: "bob" } });
    expect(refused).toMatchObject({
      status: 403,
      json: { status: 403, detail: "Only admins may list other users' tasks" },
    });
    expect((await call("GET", "/tasks", { query: { createdBy: "alice" } })).status).toBe(401);
  });

  it("accepts the worker-crashing switch only when the API runs in the local stage", async () => {
    const crash = { name: "diagnostics.echo", payload: { message: "x", crashOnAttempt: 1 } };
    expect(await enqueue("carol", crash)).toMatchObject({
      status: 400,
      json: { errors: [{ path: "body.payload.crashOnAttempt", message: "only accepted in the local stage" }] },
    });
    stage = "local";
    expect((await enqueue("carol", crash)).status).toBe(202);
    expect((await enqueue("alice", crash)).status).toBe(403);
  });

  describe("POST /tasks/{id}/retry", () => {
    const insertTask = async (fields: { status?: string; createdBy?: string; uniqueKey?: string } = {}) => {
      const row = await t.db.first<{ id: string }>(
        `INSERT INTO tasks (name, queue, payload, status, attempts, max_attempts, error, created_by, key_scope, unique_key, finished_at, dead_lettered_at)
         VALUES ('reports.task-stats', 'default', '{}', :status, 3, 3, 'boom', :createdBy, 'user:' || :createdBy, :uniqueKey, now(), now())
         RETURNING id`,
        {
          status: fields.status ?? "failed",
          createdBy: fields.createdBy ?? "alice",
          uniqueKey: fields.uniqueKey ?? null,
        },
      );
      return row!.id;
    };
    const row = (id: string) =>
      t.db.first("SELECT status, attempts, error, finished_at, dead_lettered_at FROM tasks WHERE id = :id", {
        id: uuid(id),
      });

    it("lets the owner retry her failed task: attempts from zero, queued, and woken", async () => {
      const id = await insertTask();
      const response = await call("POST", `/tasks/${id}/retry`, { as: "alice" });
      expect(response).toMatchObject({
        status: 202,
        json: { id, status: "queued", attempts: 0, error: null, finishedAt: null },
      });
      expect(await row(id)).toEqual({
        status: "queued",
        attempts: 0,
        error: null,
        finished_at: null,
        dead_lettered_at: null,
      });
      expect(batchedTaskIds(sqsMock)).toEqual([id]);
    });

    it("answers 404 to anyone but the owner or an admin, and 401 without a token; only an admin retries another's task", async () => {
      const id = await insertTask();
      expect((await call("POST", `/tasks/${id}/retry`)).status).toBe(401);
      expect((await call("POST", `/tasks/${id}/retry`, { as: "bob" })).status).toBe(404);
      expect(await row(id)).toMatchObject({ status: "failed", attempts: 3 });
      expect((await call("POST", `/tasks/${id}/retry`, { as: "carol" })).status).toBe(202);
      expect((await call("POST", "/tasks/00000000-0000-4000-8000-000000000000/retry", { as: "carol" })).status).toBe(
        404,
      );
      expect(batchedTaskIds(sqsMock)).toEqual([id]);
    });

    it("answers 409 to a task that is not failed, and changes nothing", async () => {
      for (const status of ["queued", "running", "retrying", "succeeded", "cancelled", "scheduled"]) {
        const id = await insertTask({ status });
        const response = await call("POST", `/tasks/${id}/retry`, { as: "alice" });
        expect({ status, code: response.status, error: response.json.detail }).toEqual({
          status,
          code: 409,
          error: `Task is ${status}; only a failed task can be retried`,
        });
        expect(await row(id)).toMatchObject({ status, attempts: 3 });
      }
      expect(batchedTaskIds(sqsMock)).toEqual([]);
    });

    it("answers 409 while another active task of the same caller holds its unique key", async () => {
      const id = await insertTask({ uniqueKey: "stats" });
      await insertTask({ status: "running", uniqueKey: "stats" });
      expect(await call("POST", `/tasks/${id}/retry`, { as: "alice" })).toMatchObject({
        status: 409,
        json: { status: 409, detail: "Another active task holds this task's unique key" },
      });
      expect(await row(id)).toMatchObject({ status: "failed" });
    });
  });
});
