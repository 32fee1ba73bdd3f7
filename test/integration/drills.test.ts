import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { PurgeQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseTaskMessage } from "../../functions/tasks/messages.js";
import { awsLocalEnv, dataApiUrl } from "../../localstack/env.js";
import { outputs } from "./outputs.js";
import { asUser, eventually } from "./session.js";

/**
 * The fault drills of issue 12. Each ends with one count line: what was asked, what came out,
 * what was dead-lettered, lost or run twice. They run one after another: all three share the one
 * database (drill 1 takes it away, drill 2 needs it at its end, drill 3 takes it away briefly).
 */

type Task = {
  id: string;
  status: string;
  attempts: number;
  result?: unknown;
  startedAt: string | null;
  finishedAt: string | null;
};

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const region = "us-east-1";
const sqs = () => new SQSClient({ endpoint: awsLocalEnv().AWS_ENDPOINT_URL, region, credentials });
const lambda = () => new LambdaClient({ endpoint: awsLocalEnv().AWS_ENDPOINT_URL, region, credentials });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(0);

async function setDatabaseAvailable(available: boolean): Promise<void> {
  await fetch(`${dataApiUrl}/_admin/availability`, { method: "POST", body: JSON.stringify({ available }) });
}

/** Calls the Data API stand-in has answered (refused ones included), to see that a worker met the outage. */
async function databaseRequests(): Promise<number> {
  const stats = (await (await fetch(`${dataApiUrl}/_admin/stats`)).json()) as { requests: number };
  return stats.requests;
}

/**
 * How many of these tasks sit in the default queue's dead-letter queue, read straight from SQS. Counting
 * by task id, not by queue depth: a file that ran just before (the console's retry drill, say) may still
 * be dead-lettering its own task while this one runs. Each message is hidden for 5 s while the queue is
 * paged through, then visible again for whoever reads it next.
 */
async function deadLettersOf(ids: readonly string[]): Promise<number> {
  const wanted = new Set(ids);
  const taskOf = new Map<string, string | undefined>();
  for (let page = 0; page < 100; page++) {
    const { Messages = [] } = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: outputs().QueueDefaultDeadLetterUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 5,
        WaitTimeSeconds: 0,
      }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) taskOf.set(message.MessageId ?? "", parseTaskMessage(message.Body ?? "")?.taskId);
  }
  return [...taskOf.values()].filter((id) => id !== undefined && wanted.has(id)).length;
}

/** One beat now, as the EventBridge rule would fire it: the reconciler runs on every beat. */
async function tick(): Promise<void> {
  const answer = await lambda().send(
    new InvokeCommand({ FunctionName: outputs().DispatcherFunctionName, Payload: Buffer.from("{}") }),
  );
  expect(answer.FunctionError, Buffer.from(answer.Payload ?? new Uint8Array()).toString()).toBeUndefined();
}

describe("fault drills on the local stack", () => {
  let admin: Awaited<ReturnType<typeof asUser>>;
  beforeAll(async () => {
    // diagnostics.echo is admin-only.
    admin = await asUser("fault-drills-12", { admin: true });
  });
  afterEach(() => setDatabaseAvailable(true));

  const enqueue = async (body: Record<string, unknown>) => {
    const response = await admin.post("/tasks", { name: "diagnostics.echo", ...body });
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    return (response.body as { id: string }).id;
  };
  /** Enqueues `count` tasks, 20 requests at a time. */
  const enqueueMany = async (count: number, body: (i: number) => Record<string, unknown>) => {
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < count) {
          const i = next++;
          ids.push(await enqueue(body(i)));
        }
      }),
    );
    return ids;
  };
  const read = async (id: string) => (await admin.get(`/tasks/${id}`)).body as Task;
  /** Polls until every task has ended; a task seen ended is not asked again. */
  const finished = (ids: string[], timeoutMs: number, onPoll?: () => Promise<void>) => {
    const ended = new Map<string, Task>();
    return eventually(
      `${ids.length} tasks to finish`,
      async () => {
        await onPoll?.();
        for (const id of ids) {
          if (ended.has(id)) continue;
          const task = await read(id);
          if (task.status === "succeeded" || task.status === "failed") ended.set(id, task);
        }
        return ended.size === ids.length ? ids.map((id) => ended.get(id) as Task) : undefined;
      },
      timeoutMs,
      2_000,
    );
  };

  it("the database down for 3 minutes while 100 tasks flow: 0 dead-lettered, 100 succeeded, 0 ran twice", async () => {
    const total = 100;
    // Two tasks at once first, so the queue's two execution environments are warm: a cold start
    // (about 1 s on LocalStack) could otherwise let one mid-run task finish before the other begins.
    const warm = await Promise.all([0, 1].map((i) => enqueue({ payload: { message: `warm-${i}`, sleepMs: 1_000 } })));
    await finished(warm, 60_000);
    // Enqueueing needs the database, so all 100 go in first. 98 arrive 3 s later, during the
    // outage; the 2 others are running when the database goes, so their outcome write fails and
    // travels in a message that is deferred until the database is back. (2 s keeps them inside the
    // local default queue's time budget: a 10 s worker timeout less 7 s kept for bookkeeping.)
    const arriving = await enqueueMany(total - 2, (i) => ({
      payload: { message: `outage-${i}`, sleepMs: 500 },
      delaySeconds: 3,
    }));
    const midRun = await Promise.all(
      [0, 1].map((i) => enqueue({ payload: { message: `outage-mid-run-${i}`, sleepMs: 2_000 } })),
    );
    // Both running at the same moment, seen in one look: the outage must begin while both are under way.
    await eventually(
      "both mid-run tasks to be running at once",
      async () => ((await Promise.all(midRun.map(read))).every((t) => t.status === "running") ? true : undefined),
      60_000,
      100,
    );
    const started = Date.now();
    await setDatabaseAvailable(false);
    await sleep(180_000);
    const back = Date.now();
    await setDatabaseAvailable(true);
    // A beat right as the database returns, as the rule may fire any second: the mid-run tasks'
    // leases ended long ago while their outcomes are still on their way, and they must not run again.
    await tick();
    const ids = [...midRun, ...arriving];
    const tasks = await finished(ids, 300_000);
    // Claimed before the outage and recorded after it: their outcome write met the outage.
    const spanned = tasks.filter(
      (t) => Date.parse(t.startedAt ?? "") < started && Date.parse(t.finishedAt ?? "") >= back,
    ).length;
    const succeeded = tasks.filter((t) => t.status === "succeeded").length;
    const ranTwice = tasks.filter((t) => t.attempts !== 1).length;
    const deadLettered = (await deadLettersOf(ids)) + tasks.filter((t) => t.status === "failed").length;
    console.log(
      `[drill: database down 180 s] ${total} tasks (${spanned} mid-run when it went), succeeded ${succeeded}, ` +
        `dead-lettered ${deadLettered}, ran twice ${ranTwice}, all done ${seconds(started)} s after the outage began`,
    );
    expect(new Set(ids).size).toBe(total);
    expect(spanned).toBeGreaterThanOrEqual(2);
    expect({ succeeded, deadLettered, ranTwice }).toEqual({ succeeded: total, deadLettered: 0, ranTwice: 0 });
  }, 600_000);

  it("the queue loses 50 queued messages: the reconciler wakes all 50 within a few beats", async () => {
    const total = 50;
    // A short delay keeps the messages invisible to the workers until the purge has taken them.
    const ids = await enqueueMany(total, (i) => ({ payload: { message: `lost-${i}` }, delaySeconds: 5 }));
    const enqueued = Date.now();
    await sqs().send(new PurgeQueueCommand({ QueueUrl: outputs().QueueDefaultUrl }));
    const afterPurge = await Promise.all(ids.map(read));
    const waiting = afterPurge.filter((t) => t.status === "queued").length;
    // The wake-ups are due 5 s after enqueueing and count as lost 2 × 60 s (the local visibility
    // timeout) later; beats come every ~60 s from the rule, and the test adds one every 20 s
    // after that so the drill does not wait on the rule's phase.
    await sleep(Math.max(0, 126_000 - (Date.now() - enqueued)));
    let beats = 0;
    let lastBeat = 0;
    const tasks = await finished(ids, 180_000, async () => {
      if (Date.now() - lastBeat < 20_000) return;
      lastBeat = Date.now();
      beats += 1;
      await tick();
    });
    const succeeded = tasks.filter((t) => t.status === "succeeded").length;
    const ranTwice = tasks.filter((t) => t.attempts !== 1).length;
    console.log(
      `[drill: 50 messages purged] ${total} tasks, still queued after the purge ${waiting}, succeeded ${succeeded}, lost ${total - succeeded}, ` +
        `ran twice ${ranTwice}, extra beats invoked ${beats}, all done ${seconds(enqueued)} s after enqueueing`,
    );
    // Nothing ran before the purge: the messages were purged, not consumed.
    expect(waiting).toBe(total);
    expect({ succeeded, ranTwice }).toEqual({ succeeded: total, ranTwice: 0 });
  }, 360_000);

  /**
   * Takes the database away while an echo sleeps inside its attempt, so the attempt ends with the
   * database gone and its outcome write is refused; brings it back after `outageMs`.
   */
  const completionWriteFails = async (outageMs: number) => {
    // The local worker has 10 s; the echo's run is cut at about 3 s, so it sleeps 1.5 s.
    const id = await enqueue({ payload: { message: `write-fails-${outageMs}`, sleepMs: 1_500 } });
    await eventually(
      `task ${id} to be running`,
      async () => ((await read(id)).status === "running" ? true : undefined),
      60_000,
      100,
    );
    const before = await databaseRequests();
    await setDatabaseAvailable(false);
    const down = Date.now();
    await sleep(outageMs);
    const refused = (await databaseRequests()) - before;
    const up = Date.now();
    await setDatabaseAvailable(true);
    const [task] = await finished([id], 120_000);
    // Started before the outage and recorded after it: the attempt ended while its write was refused.
    const spansOutage = Date.parse(task?.startedAt ?? "") < down && Date.parse(task?.finishedAt ?? "") >= up;
    return { task, refused, spansOutage };
  };

  it("a completion write fails once: the outcome is recorded and the task is not run again", async () => {
    // 4 s: the worker's own retries of the write succeed. 15 s: the worker runs out of time and the
    // outcome travels in a fresh message, recorded once the database is back.
    const retried = await completionWriteFails(4_000);
    const carried = await completionWriteFails(15_000);
    for (const [how, { task, refused }] of Object.entries({
      "retried in the worker": retried,
      "carried in a message": carried,
    })) {
      console.log(
        `[drill: completion write fails, ${how}] 1 task, database calls refused ${refused}, status ${task?.status}, ` +
          `attempts ${task?.attempts}, ran twice ${task?.attempts === 1 ? 0 : 1}`,
      );
    }
    for (const { task, refused, spansOutage } of [retried, carried]) {
      expect(refused).toBeGreaterThan(0);
      expect(spansOutage, JSON.stringify(task)).toBe(true);
      expect(task).toMatchObject({ status: "succeeded", attempts: 1 });
      expect(task?.result).toMatchObject({ message: expect.stringMatching(/^write-fails-/) });
    }
  }, 300_000);
});
