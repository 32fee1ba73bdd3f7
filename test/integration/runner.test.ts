import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { Database } from "../../functions/core/db/database.js";
import { uuid } from "../../functions/core/db/parameters.js";
import { awsLocalEnv, dataApiUrl, localDatabase } from "../../localstack/env.js";
import { alive } from "../../localstack/processes.js";
import { runnerLog, runnerPid, startRunners } from "../../localstack/runner-process.js";
import { loadConfig } from "../../functions/contracts/config/load.js";
import { outputs } from "./outputs.js";
import { asUser, eventually } from "./session.js";

/**
 * The container queue `long` on the local stack: its runner is the host process local:up started
 * (functions/runner), with a 6 s lease (the queue's visibility timeout) renewed every 2 s and a 4 s
 * stop timeout. Each drill ends with a count line for the report.
 */

type Task = {
  id: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  progress: number | null;
  result?: { attempt?: number } | null;
  error: string | null;
};

const LEASE_SECONDS = 6;
const sqs = () =>
  new SQSClient({
    endpoint: awsLocalEnv().AWS_ENDPOINT_URL,
    region: "us-east-1",
    credentials,
  });
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
/** The Data API stand-in, read directly: the API does not show a task's lease. */
const db = () =>
  new Database(new RDSDataClient({ endpoint: dataApiUrl, region: "us-east-1", credentials }), {
    resourceArn: localDatabase.DB_CLUSTER_ARN,
    secretArn: localDatabase.DB_SECRET_ARN,
    database: localDatabase.DB_NAME,
  });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the runner logged about one task: JSON lines of its log file (.local/logs/runner-long.log). */
function logged(taskId: string, message: string): number {
  const path = runnerLog("long");
  if (!existsSync(path)) return 0;
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.includes(taskId))
    .filter((line) => {
      try {
        return (JSON.parse(line) as { message?: string }).message === message;
      } catch {
        return false;
      }
    }).length;
}

/** Looks at the queue without taking anything (visibility 0): whether a message for this task is visible. */
async function peek(taskId: string): Promise<true | undefined> {
  const { Messages } = await sqs().send(
    new ReceiveMessageCommand({
      QueueUrl: outputs().QueueLongUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      WaitTimeSeconds: 0,
    }),
  );
  return Messages?.some((message) => message.Body?.includes(taskId)) ? true : undefined;
}

/** The long queue's stop timeout in the local stage: what ECS would give a runner between SIGTERM and SIGKILL. */
const STOP_TIMEOUT_SECONDS = (() => {
  const seconds = loadConfig("local").queues.long?.container?.stopTimeoutSeconds;
  if (seconds === undefined) throw new Error("the local stage has no long queue with a stop timeout");
  return seconds;
})();
/** ECS's stop: SIGTERM, then SIGKILL once the stop timeout has passed. Says whether SIGKILL was needed. */
async function stopLikeEcs(pid: number): Promise<{ killed: boolean }> {
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + STOP_TIMEOUT_SECONDS * 1000;
  while (alive(pid) && Date.now() < deadline) await sleep(50);
  if (!alive(pid)) return { killed: false };
  process.kill(pid, "SIGKILL");
  return { killed: true };
}

const runnerExit = () =>
  eventually("the runner to exit", async () => (runnerPid("long") === undefined ? true : undefined), 15_000, 100);

async function queueDepth(): Promise<{ visible: number; running: number }> {
  const { Attributes } = await sqs().send(
    new GetQueueAttributesCommand({
      QueueUrl: outputs().QueueLongUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    running: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

describe("the long queue's runner (runtime: container) on the local stack", () => {
  let admin: Awaited<ReturnType<typeof asUser>>;
  beforeAll(async () => {
    admin = await asUser("runner-drills-15", { admin: true });
    expect(runnerPid("long"), "local:up starts the runner of the long queue").toBeDefined();
  });
  afterAll(async () => {
    // Whatever a drill did to it, leave a runner behind for the next file, as local:up does.
    if (runnerPid("long") === undefined) await startRunners(outputs());
  });

  const enqueue = async (name: string, payload: Record<string, unknown>) => {
    const response = await admin.post("/tasks", { name, payload });
    expect(response.status).toBe(202);
    return (response.body as { id: string }).id;
  };
  const task = async (id: string) => (await admin.get(`/tasks/${id}`)).body as Task;
  const until = (id: string, test: (t: Task) => boolean, what: string, timeoutMs = 60_000) =>
    eventually(
      `task ${id} ${what}`,
      async () => {
        const t = await task(id);
        return test(t) ? t : undefined;
      },
      timeoutMs,
    );
  const leaseEnd = async (id: string) => {
    const row = await db().first<{ lease: string | null; started: string }>(
      "SELECT lease_expires_at AS lease, started_at AS started FROM tasks WHERE id = :id",
      { id: uuid(id) },
    );
    return { lease: row?.lease ? Date.parse(row.lease) : undefined, started: Date.parse(row!.started) };
  };

  it("runs a task for 4 leases: heartbeats extend lease and visibility, it completes once", async () => {
    const id = await enqueue("diagnostics.long-echo", { message: "past its lease", seconds: 24 });
    await until(id, (t) => t.status === "running", "running", 30_000);
    await sleep(3 * LEASE_SECONDS * 1000);
    // Three leases in: still the first attempt, its lease pushed ahead, its message still invisible.
    const middle = await task(id);
    const { lease, started } = await leaseEnd(id);
    const depth = await queueDepth();
    expect(middle).toMatchObject({ status: "running", attempts: 1 });
    expect(lease! - started).toBeGreaterThan(3 * LEASE_SECONDS * 1000);
    expect(depth).toEqual({ visible: 0, running: 1 });
    const done = await until(id, (t) => t.status === "succeeded", "succeeded", 60_000);
    expect(done).toMatchObject({ attempts: 1, result: { message: "past its lease", attempt: 1 } });
    const beats = logged(id, "Heartbeat");
    expect(beats).toBeGreaterThanOrEqual(8);
    expect(logged(id, "Task succeeded")).toBe(1);
    console.log(
      `[drill heartbeat] 24 s task, ${LEASE_SECONDS} s lease: ${done.status} after ${done.attempts} attempt, ` +
        `${beats} heartbeats, lease ${((lease! - started) / 1000).toFixed(0)} s past the start at 3 leases, ` +
        `queue ${JSON.stringify(depth)}, succeeded logged ${logged(id, "Task succeeded")}x`,
    );
  }, 120_000);

  it("stops a runaway task at its hard limit and records each attempt", async () => {
    const id = await enqueue("diagnostics.runaway", { seconds: 60 });
    const started = Date.now();
    const failed = await until(id, (t) => t.status === "failed", "failed", 60_000);
    const seconds = (Date.now() - started) / 1000;
    expect(failed.attempts).toBe(2);
    expect(failed.error).toMatch(/HardTimeLimitExceeded: hard time limit of 5s reached/);
    // Two attempts of 5 s each and a 1-2 s backoff, far less than the 60 s the task would hold on.
    expect(seconds).toBeLessThan(40);
    console.log(
      `[drill hard limit] runaway task (60 s, hard limit 5 s): ${failed.status} after ${failed.attempts} attempts in ` +
        `${seconds.toFixed(1)} s; error: ${failed.error}`,
    );
  }, 90_000);

  it("SIGTERM mid-task: the runner releases the task, it runs again after the restart and succeeds once", async () => {
    const id = await enqueue("diagnostics.long-echo", { message: "across a restart", seconds: 12 });
    await until(id, (t) => t.status === "running" && (t.progress ?? 0) > 0, "under way", 30_000);
    const pid = runnerPid("long")!;
    const signalled = Date.now();
    let released: Task;
    let stopSeconds: number;
    let killed: boolean;
    try {
      // The release must be on record before ECS's SIGKILL, which comes at the stop timeout whatever the
      // machine's load: that, not a wall-clock figure, is what this checks.
      ({ killed } = await stopLikeEcs(pid));
      await runnerExit();
      stopSeconds = (Date.now() - signalled) / 1000;
      // Back to retrying, the attempt not counted.
      released = await task(id);
      expect(released).toMatchObject({ status: "retrying", attempts: 1, maxAttempts: 4 });
      // Its message is visible at once, not after the rest of its 6 s lease: a look (visibility 0) finds it.
      await eventually("the released message", () => peek(id), 2_000, 200);
    } finally {
      await startRunners(outputs());
    }
    const done = await until(id, (t) => t.status === "succeeded", "succeeded", 60_000);
    expect(done).toMatchObject({ attempts: 2, result: { message: "across a restart", attempt: 2 } });
    expect(logged(id, "Task released for another runner (not counted)")).toBe(1);
    expect(logged(id, "Task succeeded")).toBe(1);
    console.log(
      `[drill SIGTERM] 12 s task, SIGTERM mid-run: runner stopped in ${stopSeconds.toFixed(1)} s${killed ? " (SIGKILL at the stop timeout)" : ""}, task ${released.status} ` +
        `(attempts ${released.attempts}, budget ${released.maxAttempts}), then ${done.status} on attempt ${done.attempts} ` +
        `after the restart; succeeded logged ${logged(id, "Task succeeded")}x`,
    );
  }, 120_000);

  it("SIGTERM near a task's end: the runner lets it finish before it stops", async () => {
    const id = await enqueue("diagnostics.long-echo", { message: "finishes in the stop timeout", seconds: 3 });
    await until(id, (t) => t.status === "running" && (t.progress ?? 0) > 0, "under way", 30_000);
    const signalled = Date.now();
    try {
      process.kill(runnerPid("long")!, "SIGTERM");
      await runnerExit();
    } finally {
      await startRunners(outputs());
    }
    const stopSeconds = (Date.now() - signalled) / 1000;
    expect(await task(id)).toMatchObject({ status: "succeeded", attempts: 1 });
    console.log(
      `[drill SIGTERM] 3 s task, SIGTERM once under way: succeeded on attempt 1 while the runner stopped (${stopSeconds.toFixed(1)} s)`,
    );
  }, 60_000);
});
