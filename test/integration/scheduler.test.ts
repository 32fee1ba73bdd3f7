import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../functions/core/db/database.js";
import { awsLocalEnv, dataApiUrl, localDatabase } from "../../localstack/env.js";
import { outputs } from "./outputs.js";
import { asUser, eventually } from "./session.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
/** The test bed's own view of the database, to count what the API does not show. */
const db = new Database(new RDSDataClient({ endpoint: dataApiUrl, region: "us-east-1", credentials }), {
  resourceArn: localDatabase.DB_CLUSTER_ARN,
  secretArn: localDatabase.DB_SECRET_ARN,
  database: localDatabase.DB_NAME,
});

describe("the single schedule on the local stack", () => {
  let admin: Awaited<ReturnType<typeof asUser>>;
  beforeAll(async () => {
    admin = await asUser("ops", { admin: true });
  });

  it("lists schedules with next and last run, and refuses an invalid cron or zone", async () => {
    const { status, body } = await admin.get("/schedules");
    expect(status).toBe(200);
    const names = (body.schedules as { name: string }[]).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["maintenance.daily", "reports.daily-digest", "diagnostics.heartbeat"]));
    const bad = await admin.patch("/schedules/reports.daily-digest", { cron: "61 * * * *", timezone: "Mars/Base" });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.join(" ")).toMatch(/timezone: "Mars\/Base"/);
    expect((await admin.patch("/schedules/reports.daily-digest", { cron: "every day" })).status).toBe(400);
    expect((await admin.patch("/schedules/nope", { enabled: false })).status).toBe(404);
    expect((await (await asUser("alice")).get("/schedules")).status).toBe(403);
  });

  it("fires from the real EventBridge rule: the every-minute heartbeat gets enqueued", async () => {
    const heartbeat = await eventually(
      "a heartbeat enqueued by the scheduler",
      async () => {
        const { body } = await admin.get("/schedules");
        const entry = (body.schedules as { name: string; lastRunAt: string | null }[]).find((s) => s.name === "diagnostics.heartbeat");
        return entry?.lastRunAt ? entry : undefined;
      },
      150_000,
      2_000,
    );
    const slot = heartbeat.lastRunAt as string;
    const tasks = await db.rows("SELECT status FROM tasks WHERE idempotency_key = :key", { key: `schedule:diagnostics.heartbeat:${slot}` });
    expect(tasks).toHaveLength(1);
  });

  it("enqueues a due slot once when the dispatcher is invoked many times at once", async () => {
    // A schedule that never ran and is due every minute: whoever ticks first this minute claims it.
    const patched = await admin.patch("/schedules/housekeeping.expire-idempotency-keys", { cron: "* * * * *" });
    expect(patched.status).toBe(200);
    const lambda = new LambdaClient({ endpoint: awsLocalEnv().AWS_ENDPOINT_URL, region: "us-east-1", credentials });
    const invocations = await Promise.all(
      Array.from({ length: 5 }, () => lambda.send(new InvokeCommand({ FunctionName: outputs().DispatcherFunctionName, Payload: Buffer.from("{}") }))),
    );
    const reports = invocations.map((r) => {
      expect(r.FunctionError).toBeUndefined();
      return JSON.parse(Buffer.from(r.Payload ?? new Uint8Array()).toString()) as { started: string[] };
    });
    const started = reports.flatMap((r) => r.started).filter((s) => s.startsWith("housekeeping.expire-idempotency-keys@"));
    expect(new Set(started).size).toBe(started.length);
    const perSlot = await db.rows<{ key: string; n: number }>(
      "SELECT idempotency_key AS key, count(*)::int AS n FROM tasks WHERE idempotency_key LIKE 'schedule:housekeeping.expire-idempotency-keys:%' GROUP BY 1",
    );
    const claimed = await db.rows("SELECT slot FROM schedule_slots WHERE name = 'housekeeping.expire-idempotency-keys'");
    expect(perSlot.length).toBeGreaterThanOrEqual(1);
    expect(perSlot.every((row) => row.n === 1)).toBe(true);
    expect(perSlot.length).toBe(claimed.length);
    await admin.patch("/schedules/housekeeping.expire-idempotency-keys", { cron: "17 * * * *" });
  });
});
