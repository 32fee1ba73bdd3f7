import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/contracts/config/load.js";
import { logger } from "../../../functions/core/logger.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testQueues } from "../../support/task-deps.js";
import { callerOf, testCallers, testSecret, testClaims, type Caller, issues } from "./api-callers.js";

/**
 * The bad inputs of issue 11 ("answers of 500 instead of 400/404"), sent through the deployed API
 * handler itself (router, auth, every route) configured from the environment as in Lambda. The
 * database is the Data API stand-in; Secrets Manager and SQS are mocked.
 */
describe("the API at the edge", () => {
  const t = migratedDatabase(["tasks", "events"]);
  const secrets = mockClient(SecretsManagerClient);
  const sqs = mockClient(SQSClient);
  const bus = mockClient(EventBridgeClient);
  const saved = { ...process.env };
  let tokens: Awaited<ReturnType<typeof testCallers>>;
  let call: Caller;

  beforeAll(async () => {
    // The access log's line per request would bury the test output.
    logger.setLogLevel("WARN");
    bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: new TextDecoder().decode(testSecret) });
    Object.assign(process.env, {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AUTH_ISSUER: testClaims.issuer,
      AUTH_AUDIENCE: testClaims.audience,
      AUTH_ROLES_CLAIM: "roles",
      AUTH_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:auth",
      GROUNDCREW_CONFIG: JSON.stringify(loadConfig("local")),
      GROUNDCREW_QUEUES: JSON.stringify(testQueues),
      // Everything else the API's environment contract asks for (functions/contracts/environment.ts).
      GROUNDCREW_STAGE: "local",
      GROUNDCREW_VERSION: "test",
      GROUNDCREW_FUNCTION: "api",
      POWERTOOLS_SERVICE_NAME: "groundcrew-api",
      POWERTOOLS_LOG_LEVEL: "WARN",
      MEDIA_BUCKET: "media",
      MAINTENANCE_STATE_MACHINE_ARN: "arn:aws:states:us-east-1:000000000000:stateMachine:maintenance",
      EVENT_BUS_NAME: "groundcrew-local",
      NOTIFICATIONS_FROM: "notifications@example.com",
      NOTIFICATIONS_CONFIGURATION_SET: "groundcrew-local",
      DB_CLUSTER_ARN: "arn:aws:rds:us-east-1:000000000000:cluster:test",
      DB_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:test",
      DB_NAME: "groundcrew",
      // The SDK's per-service endpoint variable: the handler's own RDSDataClient reaches the stand-in.
      AWS_ENDPOINT_URL_RDS_DATA: t.server.url,
    });
    tokens = await testCallers();
    const { handler } = await import("../../../functions/api/handler.js");
    call = callerOf(handler);
  });
  afterAll(() => {
    process.env = saved;
    logger.setLogLevel("INFO");
    secrets.restore();
    bus.restore();
    sqs.restore();
  });

  const nul = "a\u0000b";
  const lone = "\ud800";

  it("answers 400 to NUL or a lone surrogate in a payload, an idempotency key, a media filename, and the name and topic queries", async () => {
    const cases: {
      method: string;
      path: string;
      token: "alice" | "carol";
      body?: unknown;
      query?: Record<string, string>;
      issue: string;
    }[] = [];
    for (const [bad, problem] of [
      [nul, "contains a NUL character"],
      [lone, "contains a lone surrogate (not valid Unicode)"],
    ] as const) {
      cases.push(
        {
          method: "POST",
          path: "/tasks",
          token: "alice",
          body: { name: "reports.task-stats", payload: { note: bad } },
          issue: `body.payload.note: ${problem}`,
        },
        {
          method: "POST",
          path: "/tasks",
          token: "carol",
          body: { name: "diagnostics.echo", payload: { message: bad } },
          issue: `body.payload.message: ${problem}`,
        },
        {
          method: "POST",
          path: "/tasks",
          token: "carol",
          body: { name: "diagnostics.echo", payload: { [bad]: 1 } },
          issue: `body.payload: has a key that ${problem}`,
        },
        {
          method: "POST",
          path: "/tasks",
          token: "alice",
          body: { name: "reports.task-stats", payload: {}, idempotencyKey: bad },
          issue: `body.idempotencyKey: ${problem}`,
        },
        {
          method: "POST",
          path: "/tasks",
          token: "alice",
          body: { name: bad, payload: {} },
          issue: `body.name: ${problem}`,
        },
        {
          method: "POST",
          path: "/media/uploads",
          token: "alice",
          body: { filename: `x${bad}.txt`, contentType: "text/plain", size: 5 },
          issue: `body.filename: ${problem}`,
        },
        { method: "GET", path: "/tasks", token: "alice", query: { name: bad }, issue: `query.name: ${problem}` },
        { method: "GET", path: "/events", token: "carol", query: { topic: bad }, issue: `query.topic: ${problem}` },
      );
    }
    for (const c of cases) {
      const response = await call(c.method, c.path, { token: tokens[c.token], body: c.body, query: c.query });
      expect(response.statusCode, c.issue).toBe(400);
      expect(issues(response), c.issue).toEqual([c.issue]);
    }
    expect(sqs.calls()).toHaveLength(0);
    expect(await t.db.rows("SELECT id FROM tasks")).toEqual([]);
  });

  it("answers 400 to a payload nested 100,000 levels deep", async () => {
    const deep = `{"name":"diagnostics.echo","payload":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    for (const token of [tokens.alice, tokens.carol]) {
      const response = await call("POST", "/tasks", { token, body: deep });
      expect(response.statusCode).toBe(400);
      expect(issues(response)).toEqual(["body.payload: nested more than 32 levels deep"]);
    }
  });

  it("answers 400 to a forged cursor", async () => {
    for (const cursor of [
      Buffer.from('["x","y"]').toString("base64url"),
      Buffer.from('["2026-02-30T00:00:00Z","00000000-0000-4000-8000-000000000001"]').toString("base64url"),
      "%%%",
    ]) {
      const response = await call("GET", "/tasks", { token: tokens.alice, query: { cursor } });
      expect(response.statusCode, cursor).toBe(400);
      expect(issues(response)).toEqual(["query.cursor: not a cursor this API returned"]);
    }
  });

  it("answers 404 to prototype names as queues and maintenance steps, and 400 as task names", async () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      expect((await call("POST", `/queues/${name}/redrive`, { token: tokens.carol })).statusCode, name).toBe(404);
      expect(
        (await call("PATCH", `/maintenance/steps/${name}`, { token: tokens.carol, body: { enabled: false } }))
          .statusCode,
        name,
      ).toBe(404);
      for (const token of [tokens.alice, tokens.carol]) {
        const enqueued = await call("POST", "/tasks", { token, body: { name, payload: {} } });
        expect(enqueued.statusCode, name).toBe(400);
        expect(issues(enqueued)[0]).toMatch(new RegExp(`^body.name: unknown task`));
      }
    }
  });

  it("keeps /events for admins and answers them from the database", async () => {
    expect((await call("GET", "/events")).statusCode).toBe(401);
    expect((await call("GET", "/events", { token: tokens.bob })).statusCode).toBe(403);
    const admin = await call("GET", "/events", { token: tokens.carol, query: { topic: "server.maintenance" } });
    expect(admin.statusCode).toBe(200);
    expect(admin.json).toEqual({ items: [], nextCursor: null });
  });
});
