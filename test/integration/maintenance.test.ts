import { GetExecutionHistoryCommand, SFNClient } from "@aws-sdk/client-sfn";
import { beforeAll, describe, expect, it } from "vitest";
import { awsLocalEnv } from "../../localstack/env.js";
import { asUser, eventually } from "./session.js";

type Event = { id: string; status: string; description: string; payload: Record<string, any> };
const sfn = new SFNClient({
  endpoint: awsLocalEnv().AWS_ENDPOINT_URL,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});

describe("maintenance on the local stack", () => {
  let admin: Awaited<ReturnType<typeof asUser>>;
  beforeAll(async () => {
    admin = await asUser("ops", { admin: true });
  });

  const event = async (id: string) => {
    const { body } = await admin.get("/events?topic=server.maintenance&limit=50");
    return (body.items as Event[]).find((e) => e.id === id);
  };
  const ended = (id: string) =>
    eventually(
      `maintenance event ${id} to end`,
      async () => {
        const e = await event(id);
        return e && e.status !== "in_progress" ? e : undefined;
      },
      90_000,
    );
  /** Runs from earlier tests (or the daily schedule) must be over before a test starts its own. */
  const idle = () =>
    eventually(
      "no maintenance run in progress",
      async () => {
        const { body } = await admin.get("/events?topic=server.maintenance&limit=50");
        return (body.items as Event[]).some((e) => e.status === "in_progress") ? undefined : true;
      },
      90_000,
    );
  const start = async (body: unknown = {}) => {
    await idle();
    const response = await admin.post("/maintenance/runs", body);
    expect(response.status).toBe(202);
    return response.body as { runId: string; eventId: string; executionArn: string };
  };

  it("runs in_progress → each step → finished, with VACUUM last; a second start meanwhile gets 409", async () => {
    const run = await start();
    // The run takes a few Lambda invocations; the API answers this at once.
    const second = await admin.post("/maintenance/runs", {});
    expect(second.status).toBe(409);
    expect(second.body.detail).toMatch(/already in progress/);
    const done = await ended(run.eventId);
    expect(done.status).toBe("finished");
    const steps = done.payload.steps as { step: string; status: string }[];
    expect(steps.map((s) => s.step)).toEqual([
      "purge-finished-tasks",
      "purge-old-events",
      "stuck-work-check",
      "clean-incomplete-uploads",
      "vacuum",
    ]);
    expect(steps.every((s) => s.status === "ok")).toBe(true);
    expect(typeof done.payload.durationMs).toBe("number");
  });

  it("skips a step switched off at runtime and reports it as skipped", async () => {
    const off = await admin.patch("/maintenance/steps/purge-old-events", { enabled: false });
    expect(off.body).toMatchObject({ name: "purge-old-events", enabled: false, source: "override" });
    try {
      const run = await start();
      const done = await ended(run.eventId);
      expect(done.payload.steps).toContainEqual({ step: "purge-old-events", status: "skipped", details: {} });
      expect(done.payload.steps.at(-1)).toMatchObject({ step: "vacuum", status: "ok" });
    } finally {
      await admin.patch("/maintenance/steps/purge-old-events", { enabled: true });
    }
  });

  it("ends failed at a failing middle step, and the later steps never run", async () => {
    const run = await start({ failAt: "stuck-work-check" });
    const done = await ended(run.eventId);
    expect(done).toMatchObject({
      status: "failed",
      description: "failed at stuck-work-check",
      payload: { failedStep: "stuck-work-check" },
    });
    expect(done.payload.error).toMatch(/failure injected at stuck-work-check/);
    const { events } = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: run.executionArn, maxResults: 1000 }),
    );
    const entered = (events ?? []).map((e) => e.stateEnteredEventDetails?.name).filter(Boolean);
    expect(entered).toEqual(
      expect.arrayContaining(["Step purge-finished-tasks", "Step stuck-work-check", "Close failed run"]),
    );
    expect(entered).not.toContain("Step clean-incomplete-uploads");
    expect(entered).not.toContain("Step vacuum");
  });

  it("lists the steps in order with where their switch comes from", async () => {
    const { status, body } = await admin.get("/maintenance/steps");
    expect(status).toBe(200);
    expect((body.items as { name: string; order: number }[]).map((s) => s.name)).toEqual([
      "purge-finished-tasks",
      "purge-old-events",
      "stuck-work-check",
      "clean-incomplete-uploads",
      "vacuum",
    ]);
    expect((await admin.patch("/maintenance/steps/no-such-step", { enabled: false })).status).toBe(404);
    expect((await (await asUser("alice")).post("/maintenance/runs", {})).status).toBe(403);
  });
});
