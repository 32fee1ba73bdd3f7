import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { awsLocalEnv } from "../../localstack/env.js";
import { api, outputs } from "./outputs.js";
import { defaultQueuePeak } from "./queue-concurrency.js";
import { asUser, eventually } from "./session.js";

type Task = {
  id: string;
  status: string;
  attempts: number;
  startedAt: string;
  finishedAt: string | null;
  result: unknown;
  error: string | null;
};

describe("background tasks on the local stack", () => {
  let alice: Awaited<ReturnType<typeof asUser>>;
  let admin: Awaited<ReturnType<typeof asUser>>;
  // diagnostics.echo is an admin task: an operator runs the drills, alice is the plain user.
  let operator: Awaited<ReturnType<typeof asUser>>;
  beforeAll(async () => {
    alice = await asUser("alice");
    admin = await asUser("ops", { admin: true });
    operator = await asUser("olga", { admin: true });
  });

  const enqueue = async (payload: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const response = await operator.post("/tasks", { name: "diagnostics.echo", payload, ...extra });
    expect(response.status).toBe(202);
    return response.body as { id: string; status: string; duplicate: boolean };
  };
  const task = async (id: string) => (await operator.get(`/tasks/${id}`)).body as Task;
  const settled = (id: string, status = "succeeded", timeoutMs = 60_000) =>
    eventually(
      `task ${id} ${status}`,
      async () => {
        const t = await task(id);
        return t.status === status ? t : undefined;
      },
      timeoutMs,
    );

  it("runs a burst of tasks to success", async () => {
    const ids = await Promise.all(
      Array.from({ length: 12 }, (_, i) => enqueue({ message: `burst-${i}` }).then((r) => r.id)),
    );
    const done = await Promise.all(ids.map((id) => settled(id)));
    expect(done.map((t) => t.result)).toEqual(ids.map((_, i) => ({ message: `burst-${i}` })));
    expect(done.every((t) => t.attempts === 1)).toBe(true);
  });

  it("retries a task that fails once and succeeds on attempt 2", async () => {
    const { id } = await enqueue({ message: "flaky", failTimes: 1 });
    expect(await settled(id)).toMatchObject({ attempts: 2, result: { message: "flaky" }, error: null });
  });

  it("ends a task that always fails as failed, parks it in the DLQ, and brings it back on redrive", async () => {
    const { id } = await enqueue({ message: "doomed", failTimes: 99 });
    const failed = await settled(id, "failed");
    expect(failed).toMatchObject({ attempts: 3, error: expect.stringMatching(/failing on purpose/) });
    const queues = await eventually("the DLQ to show the message", async () => {
      const { body } = await admin.get("/queues");
      const q = (body.items as { name: string; deadLetterDepth: number }[]).find((x) => x.name === "default");
      return q && q.deadLetterDepth >= 1 ? q : undefined;
    });
    expect(queues.deadLetterDepth).toBeGreaterThanOrEqual(1);

    expect((await alice.post("/queues/default/redrive")).status).toBe(403);
    const redrive = await admin.post("/queues/default/redrive");
    expect(redrive.status).toBe(202);
    expect(redrive.body.tasksRequeued).toBeGreaterThanOrEqual(1);
    // It runs again from attempt 1 and, still failing on purpose, ends failed a second time.
    const again = await eventually("the redriven task to finish again", async () => {
      const t = await task(id);
      return t.status === "failed" && t.finishedAt && t.finishedAt > (failed.finishedAt ?? "") ? t : undefined;
    });
    expect(again.attempts).toBe(3);
  });

  it("runs a task once when its SQS message is delivered three times", async () => {
    const { id } = await enqueue({ message: "dup", sleepMs: 1500 });
    const sqs = new SQSClient({
      endpoint: awsLocalEnv().AWS_ENDPOINT_URL,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const body = JSON.stringify({ taskId: id, name: "diagnostics.echo" });
    await Promise.all(
      [1, 2].map(() => sqs.send(new SendMessageCommand({ QueueUrl: outputs().QueueDefaultUrl, MessageBody: body }))),
    );
    const done = await settled(id);
    // Give the duplicates time to be delivered and dropped (or parked behind the lease and then dropped).
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    expect((await task(id)).attempts).toBe(1);
    expect(done.result).toEqual({ message: "dup" });
  });

  it("never runs more tasks of a queue at once than its cap", async () => {
    const { peak, timeline } = await defaultQueuePeak(operator, { count: 8, sleepMs: 1500, label: "cap" });
    // The local stage caps the default queue at 2 (functions/contracts/config/stages.ts): never more,
    // and reached, so there was contention to cap.
    expect(peak, timeline).toBe(2);
  });

  it("enqueues a batch in request order and runs every task; a repeated batch answers with the same tasks", async () => {
    const key = `batch-${Date.now()}`;
    const body = {
      tasks: Array.from({ length: 25 }, (_, i) => ({
        name: "diagnostics.echo",
        payload: { message: `batch-${i}` },
        idempotencyKey: `${key}-${i}`,
      })),
    };
    const first = await operator.post("/tasks/batch", body);
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const tasks = (first.body as { tasks: { id: string; status: string; duplicate: boolean }[] }).tasks;
    expect(tasks.map((t) => [t.status, t.duplicate])).toEqual(tasks.map(() => ["queued", false]));
    const done = await Promise.all(tasks.map((t) => settled(t.id)));
    expect(done.map((t) => t.result)).toEqual(tasks.map((_, i) => ({ message: `batch-${i}` })));
    const again = await operator.post("/tasks/batch", body);
    expect((again.body as { tasks: { id: string; duplicate: boolean }[] }).tasks).toEqual(
      tasks.map((t) => ({ ...t, status: "succeeded", duplicate: true })),
    );
  });

  it("refuses a whole batch with one bad item, naming it, and stores nothing", async () => {
    const marker = `batch-refused-${Date.now()}`;
    const refused = await operator.post("/tasks/batch", {
      tasks: [
        { name: "diagnostics.echo", payload: { message: marker }, idempotencyKey: marker },
        { name: "diagnostics.echo", payload: { message: 42 } },
      ],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ path: "body.tasks.1.payload.message", message: expect.any(String) }]);
    // Had the valid item been stored, its key would now answer as a duplicate.
    expect((await enqueue({ message: marker }, { idempotencyKey: marker })).duplicate).toBe(false);
  });

  it("answers 400 listing the problems and stores nothing for bad input", async () => {
    const marker = `bad-${Date.now()}`;
    const unknown = await alice.post("/tasks", { name: "no.such", payload: { message: marker } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      { path: "body.name", message: expect.stringMatching(/unknown task "no.such"/) },
    ]);
    // A plain user may not start an admin task at all, whatever its payload.
    expect((await alice.post("/tasks", { name: "diagnostics.echo", payload: { message: marker } })).status).toBe(403);
    const invalid = await operator.post("/tasks", {
      name: "diagnostics.echo",
      payload: { message: marker, sleepMs: 999_999 },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors).toEqual([{ path: "body.payload.sleepMs", message: expect.any(String) }]);
    const listed = await operator.get("/tasks?limit=200");
    expect(JSON.stringify(listed.body)).not.toContain(marker);
    expect((await api("/tasks", { method: "POST", body: "{}" })).status).toBe(401);
    // Over the SQS-sized payload limit: refused before anything is stored.
    const huge = await operator.post("/tasks", {
      name: "diagnostics.echo",
      payload: { message: marker.padEnd(250_000, "x") },
    });
    expect(huge.status).toBe(413);
    expect(JSON.stringify((await operator.get("/tasks?limit=200")).body)).not.toContain(marker);
  });

  it("returns the same task for the same idempotency key, and cancels a delayed one", async () => {
    const key = `idem-${Date.now()}`;
    const first = await enqueue({ message: "idem" }, { idempotencyKey: key });
    const second = await enqueue({ message: "idem" }, { idempotencyKey: key });
    expect(second).toMatchObject({ id: first.id, duplicate: true });

    const delayed = await enqueue({ message: "later" }, { delaySeconds: 600 });
    const cancelled = await operator.post(`/tasks/${delayed.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    expect((await operator.post(`/tasks/${delayed.id}/cancel`)).status).toBe(409);
    // Someone else's task does not exist for them.
    const bob = await asUser("bob");
    expect((await bob.get(`/tasks/${delayed.id}`)).status).toBe(404);
  });
});

describe("reports", () => {
  it("writes a CSV of task statistics to media and returns its id, downloadable by its owner", async () => {
    // A user of their own (a kept stack remembers earlier runs), so the report has only this task in it.
    const name = `reporter-${Date.now()}`;
    const carol = await asUser(name);
    const { body: enqueued } = await carol.post("/tasks", {
      name: "reports.task-stats",
      payload: { hours: 24, owner: name },
    });
    const done = await eventually("the report task", async () => {
      const { body } = await carol.get(`/tasks/${enqueued.id}`);
      return body.status === "succeeded" || body.status === "failed" ? body : undefined;
    });
    expect(done).toMatchObject({ status: "succeeded", result: { mediaId: expect.any(String) } });
    const link = await carol.get(`/media/${done.result.mediaId}`);
    expect(link.status).toBe(200);
    const csv = await (await fetch(link.body.url)).text();
    expect(csv.split("\r\n")[0]).toBe("task,status,count,avg_seconds");
    // A user's report counts only their own tasks: this one, running while it writes the CSV.
    expect(csv.split("\r\n").slice(1).filter(Boolean)).toEqual([
      expect.stringMatching(/^reports\.task-stats,running,1,/),
    ]);
    expect((await (await asUser("dave")).get(`/media/${done.result.mediaId}`)).status).toBe(404);
  });
});
