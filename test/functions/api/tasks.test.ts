import middy from "@middy/core";
import httpRouterHandler from "@middy/http-router";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { createTaskRoutes } from "../../../functions/api/routes/tasks.js";
import { signLocalToken } from "../../../functions/core/auth/local-token.js";
import { createVerifier } from "../../../functions/core/auth/verifier.js";
import { httpEvent } from "../../support/http-event.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testTaskDeps } from "../../support/task-deps.js";

const secret = new TextEncoder().encode("a-local-signing-secret-of-enough-length-0123456789");
const claims = { issuer: "groundcrew-local", audience: "groundcrew-api" };
const verifier = createVerifier({ ...claims, algorithms: ["HS256"], key: secret, rolesClaim: "roles" });
const tokenFor = (sub: string, roles: string[] = []) => signLocalToken(secret, { ...claims, sub, roles });

describe("task routes", () => {
  const t = migratedDatabase(["tasks"]);
  let stage = "prod";
  let router: middy.MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult>;
  const tokens: Record<string, string> = {};

  beforeEach(async () => {
    stage = "prod";
    const { deps } = testTaskDeps(t.db);
    const routes = createTaskRoutes({ tasks: () => deps, settings: () => ({ maxTaskPayloadBytes: 10_000, stage }), verifier: async () => verifier });
    router = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().handler(httpRouterHandler(routes));
    tokens.alice = await tokenFor("alice");
    tokens.bob = await tokenFor("bob");
    tokens.carol = await tokenFor("carol", ["admin"]);
  });

  async function call(method: string, path: string, options: { as?: string; body?: unknown } = {}) {
    const token = options.as ? tokens[options.as] : undefined;
    const event = httpEvent({
      httpMethod: method,
      path,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
    const response = await router(event, {} as never);
    return { status: response.statusCode, json: response.body ? JSON.parse(response.body) : undefined };
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
        expect({ body, who, status: (await enqueue(who === "anonymous" ? undefined : who, body)).status }).toEqual({ body, who, status });
      }
    }
    expect((await enqueue(undefined, "{not json")).status).toBe(401);
  });

  it("writes bob's report into bob's media, never alice's", async () => {
    const mine = await enqueue("bob", { name: "reports.task-stats", payload: { hours: 2 } });
    expect(mine.status).toBe(202);
    const stolen = await enqueue("bob", { name: "reports.task-stats", payload: { owner: "alice" } });
    expect(stolen).toEqual({ status: 400, json: { error: "Invalid request", issues: ["payload.owner: set from your token; leave it out"] } });
    expect(await t.db.rows("SELECT payload->>'owner' AS owner, created_by AS who FROM tasks")).toEqual([{ owner: "bob", who: "bob" }]);
  });

  it("gives bob his own task for alice's idempotency key, and hides alice's task from him", async () => {
    const hers = await enqueue("alice", { name: "reports.task-stats", payload: { hours: 1 }, idempotencyKey: "invoice-42" });
    const his = await enqueue("bob", { name: "reports.task-stats", payload: { hours: 5 }, idempotencyKey: "invoice-42" });
    expect(hers).toMatchObject({ status: 202, json: { duplicate: false } });
    expect(his).toMatchObject({ status: 202, json: { status: "queued", duplicate: false } });
    expect(his.json.id).not.toBe(hers.json.id);
    expect(await enqueue("alice", { name: "reports.task-stats", payload: { hours: 1 }, idempotencyKey: "invoice-42" })).toMatchObject({
      status: 202,
      json: { id: hers.json.id, duplicate: true },
    });
    expect((await call("GET", `/tasks/${hers.json.id}`, { as: "bob" })).status).toBe(404);
    expect((await call("GET", `/tasks/${hers.json.id}`, { as: "carol" })).status).toBe(200);
    expect((await call("GET", "/tasks", { as: "bob" })).json.tasks.map((task: { id: string }) => task.id)).toEqual([his.json.id]);
  });

  it("accepts the worker-crashing switch only when the API runs in the local stage", async () => {
    const crash = { name: "diagnostics.echo", payload: { message: "x", crashOnAttempt: 1 } };
    expect(await enqueue("carol", crash)).toMatchObject({ status: 400, json: { issues: ["payload.crashOnAttempt: only accepted in the local stage"] } });
    stage = "local";
    expect((await enqueue("carol", crash)).status).toBe(202);
    expect((await enqueue("alice", crash)).status).toBe(403);
  });
});
