import { randomUUID } from "node:crypto";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../functions/core/db/database.js";
import { uuid } from "../../functions/core/db/parameters.js";
import { emulatorKind } from "../../localstack/emulator.js";
import { dataApiUrl, emulatorEndpoint, localDatabase } from "../../localstack/env.js";
import { asUser, eventually } from "./session.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
/** The test bed's own view of the database, to plant a notification that never went out. */
const db = new Database(new RDSDataClient({ endpoint: dataApiUrl, region: "us-east-1", credentials }), {
  resourceArn: localDatabase.DB_CLUSTER_ARN,
  secretArn: localDatabase.DB_SECRET_ARN,
  database: localDatabase.DB_NAME,
});

interface Captured {
  To: string[];
  Subject: string;
  BodyText: string;
  Source: string;
  Timestamp: number;
}

/**
 * Every message the emulator's SES has captured. The one emulator-specific branch of this tier, because
 * each emulator has its own inspection endpoint (neither is an AWS API):
 * - ministack: `GET /_ministack/ses/messages` → `{ messages: { <account>: Captured[] } }`;
 * - LocalStack: `GET /_aws/ses` → `{ messages: [...] }` in its SES v1 provider's shape
 *   (`localstack/services/ses/provider.py`, `save_for_retrospection`), where SES v2 `SendEmail` lands
 *   through `localstack/host-executor/groundcrew_host_executor/sesv2.py` (the community edition has no SES v2).
 */
async function captured(): Promise<Captured[]> {
  if (emulatorKind === "localstack") return capturedByLocalStack();
  const response = await fetch(`${emulatorEndpoint}/_ministack/ses/messages`);
  if (!response.ok) throw new Error(`GET /_ministack/ses/messages answered ${response.status}`);
  const body = (await response.json()) as { messages: Record<string, Captured[]> };
  return Object.values(body.messages).flat();
}

/** One message as LocalStack's `/_aws/ses` lists it (simple form; the raw form has `RawData` instead). */
interface LocalStackSentEmail {
  Source: string;
  Destination?: { ToAddresses?: string[] };
  Subject?: string;
  Body?: { text_part?: string | null; html_part?: string | null };
  /** `%Y-%m-%dT%H:%M:%S`, UTC without a zone. */
  Timestamp: string;
}

async function capturedByLocalStack(): Promise<Captured[]> {
  const response = await fetch(`${emulatorEndpoint}/_aws/ses`);
  if (!response.ok) throw new Error(`GET /_aws/ses answered ${response.status}`);
  const body = (await response.json()) as { messages: LocalStackSentEmail[] };
  return body.messages.map((m) => ({
    To: m.Destination?.ToAddresses ?? [],
    Subject: m.Subject ?? "",
    BodyText: m.Body?.text_part ?? "",
    Source: m.Source,
    Timestamp: Date.parse(`${m.Timestamp}Z`),
  }));
}

const withSubject = async (subject: string) => (await captured()).filter((m) => m.Subject === subject);

type Session = Awaited<ReturnType<typeof asUser>>;

describe("per-project notifications on the local stack", () => {
  const run = Date.now().toString(36);
  let alice: Session;
  let admin: Session;
  let overrideBefore: unknown = null;

  beforeAll(async () => {
    alice = await asUser("alice");
    admin = await asUser("ops", { admin: true });
    overrideBefore = (await admin.get("/settings/notifications")).body.override ?? null;
  });

  afterAll(async () => {
    await admin.patch("/settings/notifications", { async: overrideBefore });
  });

  /** A project of alice's with her and two more subscribers at addresses unique to this run. */
  async function project(name: string, extra: string[] = []) {
    const created = await alice.post("/projects", {
      name: `${name} ${run}`,
      email: `alice-${name}-${run}@example.com`,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    for (const who of ["bob", "dave", ...extra]) {
      const email = who.includes("@") ? who : `${who}-${name}-${run}@example.com`;
      const added = await alice.post(`/projects/${id}/members`, { userId: email, email });
      expect(added.status).toBe(201);
    }
    return { id, name: `${name} ${run}` };
  }

  const subjectOf = (projectName: string, title: string, change: "created" | "updated") =>
    `[${projectName}] ${title} was ${change}`;

  const taskOf = (id: string) =>
    admin.get(`/tasks/${id}`).then((r) => r.body as { status: string; attempts: number; error?: string; result?: any });

  it("inline project: every email is captured by the time the response returns", async () => {
    await admin.patch("/settings/notifications", { async: "" });
    const p = await project("inline");
    const title = `inline ${randomUUID()}`;
    const response = await alice.post(`/projects/${p.id}/items`, { title, body: "sent in the request" });
    expect(response.status).toBe(201);
    expect(response.body.notification).toEqual({ mode: "inline", recipients: 3, sent: 3, failed: 0 });
    // No waiting: the request itself sent them.
    const messages = await withSubject(subjectOf(p.name, title, "created"));
    expect(messages.map((m) => m.To[0]).sort()).toEqual(
      ["alice", "bob", "dave"].map((who) => `${who}-inline-${run}@example.com`).sort(),
    );
    expect(messages[0]?.Source).toBe("notifications@example.com");
    expect(messages[0]?.BodyText).toContain("sent in the request");
  });

  it("async project: the response comes first, the emails after the notifications worker runs", async () => {
    const p = await project("async");
    await admin.patch("/settings/notifications", { async: [p.id] });
    const title = `async ${randomUUID()}`;
    const response = await alice.post(`/projects/${p.id}/items`, { title });
    expect(response.status).toBe(201);
    expect(response.body.notification).toMatchObject({ mode: "async", taskId: expect.any(String) });
    const subject = subjectOf(p.name, title, "created");
    expect(await withSubject(subject), "nothing is sent inside the request").toEqual([]);
    const task = await eventually("the notification task to succeed", async () => {
      const t = await taskOf(response.body.notification.taskId);
      return t.status === "succeeded" ? t : undefined;
    });
    expect(task.result).toMatchObject({ recipients: 3, sent: 3 });
    expect(await withSubject(subject)).toHaveLength(3);
  });

  it("the runtime switch takes effect on the next update, both ways", async () => {
    const p = await project("switch");
    const item = await alice.post(`/projects/${p.id}/items`, { title: "switch" });
    await admin.patch("/settings/notifications", { async: "all" });
    const first = await alice.patch(`/projects/${p.id}/items/${item.body.item.id}`, { title: `switch ${run} a` });
    expect(first.body.notification.mode).toBe("async");
    await admin.patch("/settings/notifications", { async: "" });
    const second = await alice.patch(`/projects/${p.id}/items/${item.body.item.id}`, { title: `switch ${run} b` });
    expect(second.body.notification).toMatchObject({ mode: "inline", sent: 3 });
    expect(await withSubject(subjectOf(p.name, `switch ${run} b`, "updated"))).toHaveLength(3);
    expect((await admin.get("/settings/notifications")).body).toMatchObject({ override: "", effective: "" });
  });

  it("a refused send is retried, then the task ends failed", async () => {
    const p = await project("failing", [`nobody-${run}@refused.invalid`]);
    await admin.patch("/settings/notifications", { async: [p.id] });
    const response = await alice.post(`/projects/${p.id}/items`, { title: `failing ${run}` });
    const taskId = response.body.notification.taskId as string;
    const task = await eventually(
      "the failing notification task to end failed",
      async () => {
        const t = await taskOf(taskId);
        return t.status === "failed" ? t : undefined;
      },
      120_000,
      1_000,
    );
    expect(task.attempts).toBe(3);
    expect(task.error).toMatch(/1 of 4 notification email\(s\) failed .*MessageRejected/);
    // Each attempt reached the subscribers the mailer accepts: at least once, like any retried task.
    expect(await withSubject(subjectOf(p.name, `failing ${run}`, "created"))).toHaveLength(9);
  });

  it("a notification pending longer than notifications.stuckAfterMinutes is reported by maintenance", async () => {
    // A notification that has been retrying for 10 minutes and will not run again for a day (local: 5 minutes is stuck).
    const id = randomUUID();
    await db.query(
      `INSERT INTO tasks (id, name, queue, payload, status, max_attempts, attempts, run_at, created_at, wake_due_at)
       VALUES (:id, 'notifications.send', 'notifications', '{}', 'retrying', 3, 1,
               now() + interval '1 day', now() - interval '10 minutes', now() + interval '1 day')`,
      { id: uuid(id) },
    );
    try {
      await eventually(
        "no maintenance run in progress",
        async () => {
          const { body } = await admin.get("/events?topic=server.maintenance&limit=50");
          return (body.items as { status: string }[]).some((e) => e.status === "in_progress") ? undefined : true;
        },
        90_000,
      );
      const started = await admin.post("/maintenance/runs", {});
      expect(started.status).toBe(202);
      const done = await eventually(
        "the maintenance run to end",
        async () => {
          const { body } = await admin.get("/events?topic=server.maintenance&limit=50");
          const event = (body.items as { id: string; status: string; payload: any }[]).find(
            (e) => e.id === started.body.eventId,
          );
          return event && event.status !== "in_progress" ? event : undefined;
        },
        90_000,
      );
      const check = (done.payload.steps as { step: string; details: any }[]).find((s) => s.step === "stuck-work-check");
      expect(check?.details.notificationsPending).toBeGreaterThanOrEqual(1);
      expect(check?.details.warnings).toEqual(
        expect.arrayContaining([expect.stringMatching(/notification\(s\) pending for more than 5 min/)]),
      );
    } finally {
      await db.query(`DELETE FROM tasks WHERE id = :id`, { id: uuid(id) });
    }
  });
});
