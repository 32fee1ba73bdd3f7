import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { queueRoutesWith } from "../../../functions/api/routes/queues.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testTaskDeps } from "../../support/task-deps.js";
import { callerOf, testCallers, testVerifier, type Caller, issues } from "./api-callers.js";

describe("queue routes", () => {
  const t = migratedDatabase(["tasks"]);
  let tokens: Awaited<ReturnType<typeof testCallers>>;
  let call: Caller;
  let sqsMock: ReturnType<typeof testTaskDeps>["sqsMock"];

  beforeAll(async () => {
    tokens = await testCallers();
  });

  const setUp = () => {
    const test = testTaskDeps(t.db);
    sqsMock = test.sqsMock;
    sqsMock
      .on(GetQueueAttributesCommand)
      .resolves({ Attributes: { QueueArn: "arn:aws:sqs:us-east-1:0:q", ApproximateNumberOfMessages: "0" } });
    call = callerOf(queueRoutesWith(() => test.deps, testVerifier));
  };

  it("are for admins: 401 anonymous, 403 users, 200/202 admins", async () => {
    setUp();
    for (const [method, path] of [
      ["GET", "/queues"],
      ["POST", "/queues/default/redrive"],
    ] as const) {
      expect((await call(method, path)).statusCode).toBe(401);
      expect((await call(method, path, { token: tokens.alice })).statusCode).toBe(403);
      expect((await call(method, path, { token: tokens.bob })).statusCode).toBe(403);
    }
    expect(
      (await call("GET", "/queues", { token: tokens.carol })).json.items.map((q: { name: string }) => q.name),
    ).toEqual(["default", "reports"]);
    const redrive = await call("POST", "/queues/default/redrive", { token: tokens.carol });
    expect(redrive.statusCode).toBe(202);
    expect(redrive.json).toMatchObject({ queue: "default", tasksRequeued: 0, messagesDeleted: 0 });
  });

  it("answers 404 to names of no queue, the Object prototype's members included, and touches nothing", async () => {
    setUp();
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf", "nope"]) {
      const response = await call("POST", `/queues/${name}/redrive`, { token: tokens.carol });
      expect(response.statusCode, name).toBe(404);
      expect(response.json).toMatchObject({ status: 404, detail: `No queue named "${name}"` });
    }
    expect(sqsMock.calls()).toHaveLength(0);
  });

  it("answers 400 to a queue name with a NUL character", async () => {
    setUp();
    const response = await call("POST", "/queues/a\u0000b/redrive", { token: tokens.carol });
    expect(response.statusCode).toBe(400);
    expect(issues(response)).toEqual(["path.name: contains a NUL character"]);
  });
});
