import { GetQueueAttributesCommand, PurgeQueueCommand } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { overviewRoutesWith } from "../../../functions/api/routes/overview.js";
import { overviewSchema } from "../../../functions/contracts/api/overview.js";
import { timestamp } from "../../../functions/core/db/parameters.js";
import type { PeriodicEntry } from "../../../functions/scheduler/periodic.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testTaskDeps } from "../../support/task-deps.js";
import { callerOf, testCallers, testVerifier } from "./api-callers.js";

const now = new Date("2026-11-22T12:00:00Z");

const entries: PeriodicEntry[] = [
  {
    name: "a.hourly",
    cron: "0 * * * *",
    timezone: "UTC",
    enabled: true,
    description: "",
    target: { kind: "maintenance" },
  },
  {
    name: "b.daily",
    cron: "30 6 * * *",
    timezone: "Europe/Paris",
    enabled: true,
    description: "",
    target: { kind: "maintenance" },
  },
  {
    name: "c.off",
    cron: "* * * * *",
    timezone: "UTC",
    enabled: false,
    description: "",
    target: { kind: "maintenance" },
  },
];

describe("the console's overview and purge routes", () => {
  const t = migratedDatabase(["tasks", "events", "schedule_overrides", "schedule_state"]);
  let tokens: Awaited<ReturnType<typeof testCallers>>;
  beforeAll(async () => {
    tokens = await testCallers();
  });

  const setUp = () => {
    const test = testTaskDeps(t.db, () => now);
    test.sqsMock.on(GetQueueAttributesCommand).resolves({
      Attributes: {
        ApproximateNumberOfMessages: "3",
        ApproximateNumberOfMessagesNotVisible: "1",
        ApproximateNumberOfMessagesDelayed: "0",
      },
    });
    return { ...test, call: callerOf(overviewRoutesWith(() => ({ tasks: test.deps, entries }), testVerifier)) };
  };

  const task = (queue: string, status: string, createdAt: string, runAt: string | null = null) =>
    t.db.query(
      `INSERT INTO tasks (name, queue, payload, status, max_attempts, created_at, run_at)
       VALUES ('diagnostics.echo', :queue, '{}'::jsonb, :status, 3, :createdAt, :runAt)`,
      { queue, status, createdAt: timestamp(createdAt), runAt: timestamp(runAt) },
    );

  it("are for admins only", async () => {
    const { call } = setUp();
    for (const [method, path] of [
      ["GET", "/overview"],
      ["POST", "/queues/default/purge"],
    ] as const) {
      expect((await call(method, path)).statusCode).toBe(401);
      expect((await call(method, path, { token: tokens.alice })).statusCode).toBe(403);
    }
  });

  it("shows each queue with its oldest waiting task, the last hour by status, the next runs and the last maintenance", async () => {
    const { call } = setUp();
    await task("default", "queued", "2026-11-22T11:50:00Z");
    await task("default", "retrying", "2026-11-22T11:30:00Z", "2026-11-22T11:58:00Z");
    await task("default", "queued", "2026-11-22T11:59:00Z", "2026-11-22T13:00:00Z"); // not due yet: not waiting
    await task("reports", "failed", "2026-11-22T11:10:00Z");
    await task("reports", "succeeded", "2026-11-22T10:00:00Z"); // over an hour ago
    await task("reports", "retrying", "2026-11-22T10:30:00Z", "2026-11-22T12:30:00Z"); // its retry is not due: not waiting
    await t.db.query(
      `INSERT INTO events (topic, status, description, payload, created_at) VALUES
         ('server.maintenance', 'finished', 'finished', '{}'::jsonb, now() - interval '1 day'),
         ('server.maintenance', 'in_progress', 'vacuum', '{}'::jsonb, now()),
         ('other', 'finished', '', '{}'::jsonb, now() + interval '1 minute')`,
    );

    const answer = await call("GET", "/overview", { token: tokens.carol });
    expect(answer.statusCode).toBe(200);
    expect(overviewSchema.safeParse(answer.json).success).toBe(true);
    const o = answer.json;
    // default's oldest due task is the 11:50 one; reports has none due (its retry is for 12:30).
    expect(o.queues).toEqual([
      { name: "default", depth: 3, inFlight: 1, delayed: 0, deadLetterDepth: 3, oldestAgeSeconds: 600 },
      { name: "reports", depth: 3, inFlight: 1, delayed: 0, deadLetterDepth: 3, oldestAgeSeconds: null },
    ]);
    expect(o.tasksLastHour).toEqual({ failed: 1, queued: 2, retrying: 1 });
    expect(o.nextRuns).toEqual([
      { name: "a.hourly", cron: "0 * * * *", timezone: "UTC", nextRunAt: "2026-11-22T13:00:00.000Z" },
      { name: "b.daily", cron: "30 6 * * *", timezone: "Europe/Paris", nextRunAt: "2026-11-23T05:30:00.000Z" },
    ]);
    expect(o.lastMaintenance).toMatchObject({
      topic: "server.maintenance",
      status: "in_progress",
      description: "vacuum",
    });
  });

  it("purges a queue's dead letters, not the queue", async () => {
    const { call, sqsMock } = setUp();
    sqsMock.on(PurgeQueueCommand).resolves({});
    const answer = await call("POST", "/queues/default/purge", { token: tokens.carol });
    expect(answer.statusCode).toBe(200);
    expect(answer.json).toEqual({ queue: "default", purged: true });
    expect(sqsMock.commandCalls(PurgeQueueCommand).map((c) => c.args[0].input.QueueUrl)).toEqual([
      "https://sqs.test/default-dlq",
    ]);
  });

  it("answers 409 to a second purge within SQS's minute, and 404 to names of no queue without calling SQS", async () => {
    const { call, sqsMock } = setUp();
    sqsMock
      .on(PurgeQueueCommand)
      .rejects(Object.assign(new Error("purge in progress"), { name: "PurgeQueueInProgress" }));
    expect((await call("POST", "/queues/reports/purge", { token: tokens.carol })).statusCode).toBe(409);
    sqsMock.reset();
    for (const name of ["__proto__", "constructor", "nope"])
      expect((await call("POST", `/queues/${name}/purge`, { token: tokens.carol })).statusCode, name).toBe(404);
    expect(sqsMock.commandCalls(PurgeQueueCommand)).toHaveLength(0);
  });
});
