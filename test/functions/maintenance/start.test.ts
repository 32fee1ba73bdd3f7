import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/contracts/config/load.js";
import { uuid } from "../../../functions/core/db/parameters.js";
import { failRun, finishRun, runStep } from "../../../functions/maintenance/procedure.js";
import { startMaintenanceRun } from "../../../functions/maintenance/start.js";
import { setStepEnabled } from "../../../functions/maintenance/switches.js";
import { postgresUrlOrSkip, raceBehindLock } from "../../support/contention.js";
import { migratedDatabase } from "../../support/local-database.js";

describe("maintenance runs", () => {
  const t = migratedDatabase(["maintenance_runs", "events", "maintenance_step_overrides"]);
  const sfn = new SFNClient({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const sfnMock = mockClient(sfn);
  const deps = () => ({ sfn, stateMachineArn: "arn:aws:states:us-east-1:0:stateMachine:m", db: t.db });
  beforeEach(async () => {
    sfnMock.reset();
    sfnMock
      .on(StartExecutionCommand)
      .callsFake((input: { name: string }) => ({ executionArn: `arn:exec:${input.name}` }));
    sfnMock.on(DescribeExecutionCommand).resolves({ status: "RUNNING" });
  });

  it("creates the in_progress event and starts one execution", async () => {
    const run = await startMaintenanceRun(deps(), { trigger: "api" });
    expect(run).toMatchObject({ duplicate: false, executionArn: `arn:exec:run-${run.runId}` });
    expect(await t.db.first("SELECT topic, status FROM events WHERE id = :id", { id: uuid(run.eventId) })).toEqual({
      topic: "server.maintenance",
      status: "in_progress",
    });
  });

  it("refuses a second run while one is in progress, even when both start at once", async () => {
    const results = await Promise.allSettled([
      startMaintenanceRun(deps(), { trigger: "api" }),
      startMaintenanceRun(deps(), { trigger: "api" }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: { statusCode: 409 } });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it("lets exactly one of many simultaneous starts through; the others get 409", async (context) => {
    const url = postgresUrlOrSkip(context, t);
    const starts = 8;
    // Holding SHARE on the table blocks every insert into it: all starts queue, then go at once.
    const race = await raceBehindLock(url, [{ sql: "LOCK TABLE maintenance_runs IN SHARE MODE" }], starts, () =>
      startMaintenanceRun(deps(), { trigger: "api" }),
    );

    expect(race.results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = race.results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refused.map((r) => (r.reason as { statusCode?: number }).statusCode)).toEqual(Array(starts - 1).fill(409));
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(await t.db.rows("SELECT status FROM maintenance_runs")).toEqual([{ status: "in_progress" }]);
    expect(race).toMatchObject({ queued: starts, finishedBeforeRelease: 0 });
  });

  it("starts one execution for two scheduled starts of the same day", async () => {
    const first = await startMaintenanceRun(deps(), { trigger: "schedule", runKey: "daily-2026-06-01" });
    const again = await startMaintenanceRun(deps(), { trigger: "schedule", runKey: "daily-2026-06-01" });
    expect(again).toMatchObject({ runId: first.runId, duplicate: true });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it("treats an execution name Step Functions already knows as the same run", async () => {
    sfnMock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: "exists", $metadata: {} }));
    const run = await startMaintenanceRun(deps(), { trigger: "schedule", runKey: "daily-2026-06-02" });
    expect(run.duplicate).toBe(true);
    expect(await t.db.rows("SELECT id FROM maintenance_runs")).toEqual([]);
  });

  it("replaces a run whose execution ended without reporting", async () => {
    await startMaintenanceRun(deps(), { trigger: "api" });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: "TIMED_OUT" });
    const next = await startMaintenanceRun(deps(), { trigger: "api" });
    expect(next.duplicate).toBe(false);
    expect(await t.db.rows("SELECT status FROM maintenance_runs ORDER BY started_at")).toEqual([
      { status: "failed" },
      { status: "in_progress" },
    ]);
  });

  it("skips a disabled step, honours failAt only on the local stage, and closes runs", async () => {
    const run = await startMaintenanceRun(deps(), { trigger: "api" });
    const ref = { runId: run.runId, eventId: run.eventId };
    const context = {
      db: t.db,
      events: { db: t.db },
      now: new Date(),
      logger: { info: () => undefined, warn: () => undefined },
    };
    await setStepEnabled(t.db, "purge-old-events", false, "ops");
    expect(await runStep({ ...context, config: loadConfig("local") }, { ...ref, step: "purge-old-events" })).toEqual({
      step: "purge-old-events",
      status: "skipped",
      details: {},
    });
    expect(await t.db.first("SELECT description FROM events WHERE id = :id", { id: uuid(run.eventId) })).toEqual({
      description: "purge-old-events",
    });
    await expect(
      runStep({ ...context, config: loadConfig("local") }, { ...ref, step: "vacuum", failAt: "vacuum" }),
    ).rejects.toThrow("failure injected at vacuum");
    expect(
      await runStep({ ...context, config: loadConfig("prod") }, { ...ref, step: "vacuum", failAt: "vacuum" }),
    ).toMatchObject({ status: "ok" });

    await failRun(t.db, { db: t.db }, ref, "vacuum", "InjectedFailure: failure injected at vacuum");
    expect(
      await t.db.first("SELECT status, description, payload->>'failedStep' AS step FROM events WHERE id = :id", {
        id: uuid(run.eventId),
      }),
    ).toEqual({
      status: "failed",
      description: "failed at vacuum",
      step: "vacuum",
    });
    const second = await startMaintenanceRun(deps(), { trigger: "api" });
    await finishRun(
      t.db,
      { db: t.db },
      { runId: second.runId, eventId: second.eventId },
      { vacuum: { step: "vacuum", status: "ok", details: {} } },
    );
    expect(
      await t.db.first("SELECT status, payload->'steps'->0->>'step' AS last FROM events WHERE id = :id", {
        id: uuid(second.eventId),
      }),
    ).toEqual({ status: "finished", last: "vacuum" });
  });
});
