import { Logger } from "@aws-lambda-powertools/logger";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { uuid } from "../../../functions/core/db/parameters.js";
import { handleMessage, type RunnerContext } from "../../../functions/runner/handle-message.js";
import { Runner } from "../../../functions/runner/runner.js";
import { enqueueTask } from "../../../functions/tasks/enqueue.js";
import { functionsDir } from "../../../infra/paths.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testTaskDeps } from "../../support/task-deps.js";

const logger = new Logger({ logLevel: "CRITICAL" as never });
const queues = {
  long: { url: "https://sqs.test/long", deadLetterUrl: "https://sqs.test/long-dlq" },
  default: { url: "https://sqs.test/default", deadLetterUrl: "https://sqs.test/default-dlq" },
};

describe("the runner of a container queue (real task processes over a real database)", () => {
  const t = migratedDatabase(["tasks"]);

  /** The attempt's process reads the same bindings a runner gets: this test's Data API stand-in. */
  function context(leaseSeconds: number) {
    const { deps, sqsMock } = testTaskDeps(t.db);
    deps.queues = queues;
    const ctx: RunnerContext = {
      deps,
      queue: "long",
      leaseSeconds,
      logger,
      random: () => 0,
      child: {
        path: join(functionsDir, "runner", "child.ts"),
        execArgv: ["--import", "tsx"],
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          AWS_REGION: "us-east-1",
          AWS_ENDPOINT_URL_RDS_DATA: t.server.url,
          DB_CLUSTER_ARN: "arn:aws:rds:us-east-1:000000000000:cluster:scratch",
          DB_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:scratch",
          DB_NAME: "groundcrew",
          GROUNDCREW_QUEUES: JSON.stringify(queues),
          POWERTOOLS_LOG_LEVEL: "ERROR",
          NODE_NO_WARNINGS: "1",
        },
      },
    };
    return { ctx, sqsMock };
  }
  async function enqueue(ctx: RunnerContext, name: string, payload: Record<string, unknown>) {
    const { id } = await enqueueTask(ctx.deps, { name, payload });
    return { id, received: { body: JSON.stringify({ taskId: id, name }), receiptHandle: `r-${id}` } };
  }
  const row = (id: string) =>
    t.db.first<{ status: string; attempts: number; max_attempts: number; error: string | null; result: unknown }>(
      "SELECT status, attempts, max_attempts, error, result FROM tasks WHERE id = :id",
      { id: uuid(id) },
    );
  const leaseEnd = async (id: string) =>
    Date.parse(
      (await t.db.first<{ lease: string }>("SELECT lease_expires_at AS lease FROM tasks WHERE id = :id", {
        id: uuid(id),
      }))!.lease,
    );
  const visibilityChanges = (sqsMock: ReturnType<typeof context>["sqsMock"]) =>
    sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input.VisibilityTimeout);

  it("keeps a task past its lease and its message's visibility with heartbeats, and runs it once", async () => {
    const { ctx, sqsMock } = context(2);
    const { id, received } = await enqueue(ctx, "diagnostics.long-echo", { message: "long", seconds: 5 });
    const claimedAt = Date.now();
    const run = handleMessage(ctx, received, new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    // Past the 2 s lease of the claim: the heartbeat has pushed it on.
    expect(await leaseEnd(id)).toBeGreaterThan(claimedAt + 3_000);
    expect((await row(id))?.status).toBe("running");
    await run;
    expect(await row(id)).toMatchObject({ status: "succeeded", attempts: 1, result: { message: "long", attempt: 1 } });
    // Every heartbeat set the message's visibility a lease ahead; the success deleted it.
    expect(visibilityChanges(sqsMock).length).toBeGreaterThanOrEqual(4);
    expect(new Set(visibilityChanges(sqsMock))).toEqual(new Set([2]));
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(1);
  }, 20_000);

  it("stops a task that holds its process at the hard limit, and records the attempt", async () => {
    const { ctx, sqsMock } = context(3);
    const { id, received } = await enqueue(ctx, "diagnostics.runaway", { seconds: 30 });
    const started = Date.now();
    await handleMessage(ctx, received, new AbortController().signal);
    const tookMs = Date.now() - started;
    expect(tookMs).toBeGreaterThanOrEqual(5_000);
    expect(tookMs).toBeLessThan(10_000);
    const after = await row(id);
    expect(after).toMatchObject({ status: "retrying", attempts: 1 });
    expect(after?.error).toMatch(/HardTimeLimitExceeded: hard time limit of 5s reached/);
    // Back after the retry's backoff (1 s with no jitter), not before.
    expect(visibilityChanges(sqsMock).at(-1)).toBe(1);
  }, 20_000);

  it("on stop, lets a task that fits finish, and releases one that does not (not counted, visible at once)", async () => {
    const { ctx, sqsMock } = context(3);
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [] });
    const short = await enqueue(ctx, "diagnostics.long-echo", { message: "short", seconds: 1 });
    const long = await enqueue(ctx, "diagnostics.long-echo", { message: "long", seconds: 30 });
    const protection: boolean[] = [];
    const runner = new Runner(ctx, {
      concurrency: 2,
      stopTimeoutSeconds: 6,
      waitSeconds: 0,
      protection: { set: (busy) => Promise.resolve(void protection.push(busy)) },
    });
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [short, long].map(({ received }) => ({ Body: received.body, ReceiptHandle: received.receiptHandle })),
      })
      .resolves({ Messages: [] });
    const running = runner.run();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stopped = Date.now();
    await runner.stop();
    await running;
    // Released 2 s before the 6 s stop timeout ends (a third kept to record the release).
    expect(Date.now() - stopped).toBeLessThan(6_000);
    expect(await row(short.id)).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(await row(long.id)).toMatchObject({ status: "retrying", attempts: 1, max_attempts: 4, error: null });
    const released = sqsMock
      .commandCalls(ChangeMessageVisibilityCommand)
      .filter((call) => call.args[0].input.ReceiptHandle === long.received.receiptHandle)
      .at(-1);
    expect(released?.args[0].input.VisibilityTimeout).toBe(0);
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(2); // the two enqueues, nothing dead-lettered
    // Protected from scale-in at each task it took, unprotected once it had none left.
    expect(protection).toEqual([true, true, false]);
  }, 30_000);
});
