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

  it("lists schedules with next and last run, takes overrides, and refuses an invalid cron or zone", async () => {
    const { status, body } = await admin.get("/schedules");
    expect(status).toBe(200);
    const names = (body.items as { name: string }[]).map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(["maintenance.daily", "reports.daily-digest", "diagnostics.heartbeat"]),
    );
    const bad = await admin.patch("/schedules/reports.daily-digest", { cron: "61 * * * *", timezone: "Mars/Base" });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toContainEqual({ path: "body.timezone", message: expect.stringMatching(/"Mars\/Base"/) });
    expect((await admin.patch("/schedules/reports.daily-digest", { cron: "every day" })).status).toBe(400);
    expect((await admin.patch("/schedules/reports.daily-digest", { cron: "*/10 * * * * *" })).status).toBe(400);
    expect((await admin.patch("/schedules/nope", { enabled: false })).status).toBe(404);
    expect((await (await asUser("alice")).get("/schedules")).status).toBe(403);

    try {
      const off = await admin.patch("/schedules/reports.daily-digest", { enabled: false, timezone: "Asia/Tokyo" });
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ enabled: false, timezone: "Asia/Tokyo", overridden: true, nextRunAt: null });
      const on = await admin.patch("/schedules/reports.daily-digest", { enabled: true, timezone: "Europe/Paris" });
      expect(on.body).toMatchObject({ enabled: true, timezone: "Europe/Paris", cron: "0 7 * * *" });
      expect(Date.parse(on.body.nextRunAt)).toBeGreaterThan(Date.now());
    } finally {
      // The stack outlives this file: later tests (and a kept stack) see the configured schedule again.
      expect((await admin.delete("/schedules/reports.daily-digest/override")).status).toBe(200);
    }
  });

  it("fires from the real EventBridge rule: the every-minute heartbeat gets enqueued and runs", async () => {
    // Nothing in this file invokes the dispatcher before this test: a slot after this moment came from the rule.
    const since = Date.now();
    const heartbeat = await eventually(
      "a heartbeat enqueued by the scheduler after the test started",
      async () => {
        const { body } = await admin.get("/schedules");
        const entry = (body.items as { name: string; lastRunAt: string | null }[]).find(
          (s) => s.name === "diagnostics.heartbeat",
        );
        return entry?.lastRunAt && Date.parse(entry.lastRunAt) > since ? entry : undefined;
      },
      // ministack checks its rules every 10 s, so a rate(1 minute) tick is at most ~70 s away.
      150_000,
      2_000,
    );
    // Slots are named by wall-clock time in the schedule's zone (UTC for the heartbeat).
    const key = `schedule:diagnostics.heartbeat:${(heartbeat.lastRunAt ?? "").slice(0, 16)} UTC`;
    const done = await eventually("the heartbeat task to finish", async () => {
      const rows = await db.rows<{ status: string }>("SELECT status FROM tasks WHERE idempotency_key = :key", { key });
      return rows.length === 1 && rows[0]?.status === "succeeded" ? rows : undefined;
    });
    expect(done).toHaveLength(1);
  });

  it("enqueues a due slot once when the dispatcher is invoked many times at once", async () => {
    // A schedule that is due every minute from now: whoever ticks first this minute claims it.
    const name = "housekeeping.expire-idempotency-keys";
    const testStarted = Date.now();
    const patched = await admin.patch(`/schedules/${name}`, { cron: "* * * * *" });
    expect(patched.status).toBe(200);
    try {
      await startEveryMinuteSlotsOnce(name, testStarted);
    } finally {
      expect((await admin.delete(`/schedules/${name}/override`)).status).toBe(200);
    }
  });
});

/** Ten dispatcher invocations, five at a time: every due slot of `name` is started by one of them only. */
async function startEveryMinuteSlotsOnce(name: string, testStarted: number): Promise<void> {
  const lambda = new LambdaClient({ endpoint: awsLocalEnv().AWS_ENDPOINT_URL, region: "us-east-1", credentials });
  const invokeConcurrently = async () => {
    const invocations = await Promise.all(
      Array.from({ length: 5 }, () =>
        lambda.send(new InvokeCommand({ FunctionName: outputs().DispatcherFunctionName, Payload: Buffer.from("{}") })),
      ),
    );
    return invocations.map((r) => {
      expect(r.FunctionError, Buffer.from(r.Payload ?? new Uint8Array()).toString()).toBeUndefined();
      return JSON.parse(Buffer.from(r.Payload ?? new Uint8Array()).toString()) as { started: string[] };
    });
  };
  const started = [...(await invokeConcurrently()), ...(await invokeConcurrently())]
    .flatMap((r) => r.started)
    .filter((s) => s.startsWith(`${name}@`));
  // Each slot started by at most one of the ten (the real rule may have ticked in between and taken one).
  expect(new Set(started).size).toBe(started.length);
  // Slots of this run only (a kept stack remembers earlier runs): the first-run look-back is 5 minutes.
  const recent = new Date(testStarted - 10 * 60_000);
  const perSlot = await db.rows<{ key: string; n: number }>(
    `SELECT idempotency_key AS key, count(*)::int AS n FROM tasks
    WHERE idempotency_key LIKE 'schedule:${name}:%' AND idempotency_key NOT LIKE '%:manual:%' AND created_at >= :recent GROUP BY 1`,
    { recent },
  );
  const claimed = await db.rows<{ slot_key: string }>(
    "SELECT slot_key FROM schedule_slots WHERE name = :name AND started_at IS NOT NULL AND claimed_at >= :recent",
    { name, recent },
  );
  expect(perSlot.length).toBeGreaterThanOrEqual(1);
  expect(perSlot.every((row) => row.n === 1)).toBe(true);
  // Slot keys are wall-clock names ("2026-11-22T16:48 UTC"), and the task's idempotency key carries the same name.
  expect(perSlot.map((r) => r.key).sort()).toEqual(claimed.map((c) => `schedule:${name}:${c.slot_key}`).sort());
}
