import type { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import { ChangeMessageVisibilityCommand, DeleteMessageCommand } from "@aws-sdk/client-sqs";
import { hardLimitSeconds } from "../contracts/task-limits.js";
import { isUnavailable } from "../core/db/unavailable.js";
import { backoffSeconds } from "../tasks/backoff.js";
import { queueOf, type TaskDeps } from "../tasks/deps.js";
import { runnableTask } from "../tasks/implementations.js";
import { claimTasks, recordOutcomes, type AttemptEnd, type ClaimResult } from "../tasks/lifecycle.js";
import { parseTaskMessage, sendToDeadLetters } from "../tasks/messages.js";
import type { TaskMessage } from "../tasks/task-record.js";
import { writeWithDeadline } from "../worker/write-with-deadline.js";
import { startAttempt, type ChildEntry, type ProcessEnd, type RunningAttempt } from "./attempt-process.js";
import { extendLease } from "./heartbeat.js";

export interface RunnerContext {
  deps: TaskDeps;
  /** The queue this runner serves (its name in configuration). */
  queue: string;
  /** The queue's visibility timeout: the lease of a claim and of each heartbeat, on the row and on the message. */
  leaseSeconds: number;
  child: ChildEntry;
  logger: Logger;
  metrics?: Metrics;
  random?: () => number;
}

export interface ReceivedMessage {
  body: string;
  receiptHandle: string;
}

/** A message whose claim met a database outage comes back after this long. */
const UNAVAILABLE_RETRY_SECONDS = 15;
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * One SQS message → at most one run of its task, in a runner (a container queue's worker). The
 * claim, the outcome write and the dead-letter hand-off are the worker Lambda's own (tasks/
 * lifecycle.ts, tasks/messages.ts); what differs is time:
 * - the claim's lease is short (the queue's visibility timeout), and a heartbeat renews it, with the
 *   message's visibility, every third of it while the task runs: a task may run for hours, and a
 *   runner that dies leaves a lease that ends within one visibility timeout, not hours later;
 * - the task runs in a process of its own (attempt-process.ts), killed at its hard limit;
 * - `release` (the runner is stopping) ends the run and gives the task back, not counted: the
 *   attempt is recorded "returned" (back to retrying) and the message is made visible at once.
 * A heartbeat that can no longer renew the lease stops the run before the lease ends, so no other
 * runner ever claims a task this one still runs.
 */
export async function handleMessage(
  ctx: RunnerContext,
  received: ReceivedMessage,
  release: AbortSignal,
): Promise<void> {
  const { deps, logger } = ctx;
  const message = parseTaskMessage(received.body);
  if (!message) {
    await sendToDeadLetters(deps, ctx.queue, received.body, "malformed message");
    return settle(ctx, received, { action: "delete", metric: "MessagesSettled" });
  }
  const id = message.taskId.toLowerCase();
  let claim: ClaimResult;
  try {
    claim = (await claimTasks(deps.db, [id], ctx.leaseSeconds)).get(id) ?? { claimed: false, status: "missing" };
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    logger.warn("Database unavailable; the message comes back later", { taskId: message.taskId });
    return settle(ctx, received, { action: "retry", seconds: UNAVAILABLE_RETRY_SECONDS });
  }
  if (!claim.claimed) {
    if (claim.status === "running" && claim.leaseExpiresAt) {
      // Another runner holds the task: look again when its lease would end, should it stop renewing it.
      const wait = Math.ceil((Date.parse(claim.leaseExpiresAt) - deps.now().getTime()) / 1000) + 2;
      return settle(ctx, received, { action: "retry", seconds: wait });
    }
    logger.info("Message dropped", { taskId: message.taskId, status: claim.status });
    return settle(ctx, received, { action: "delete", metric: "MessagesSettled" });
  }

  const { attempt } = claim;
  const definition = runnableTask(message.name);
  const hardLimit = definition ? hardLimitSeconds(definition) : 60;
  const running = startAttempt(ctx.child, { message, claim }, hardLimit);
  const onRelease = () => running.stop("released");
  if (release.aborted) onRelease();
  else release.addEventListener("abort", onRelease, { once: true });
  const heartbeat = startHeartbeat(ctx, received, id, attempt, running);
  let processEnd: ProcessEnd;
  try {
    processEnd = await running.done;
  } finally {
    await heartbeat.stop();
    release.removeEventListener("abort", onRelease);
  }

  if (processEnd.kind === "lease lost") {
    // Not ours any more, or the database is away: the message comes back and the claim decides.
    logger.warn("Lease lost; the run was stopped", { taskId: message.taskId, attempt });
    return;
  }
  const end = attemptEnd(processEnd, message, claim, ctx);
  let recorded: boolean;
  try {
    const rows = [{ id, ...end }];
    const deadline = Date.now() + ctx.leaseSeconds * 1000;
    recorded = (
      await writeWithDeadline(() => recordOutcomes(deps.db, rows), {
        remainingMs: () => deadline - Date.now(),
        reserveMs: 0,
      })
    ).has(id);
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    recorded = false;
  }
  const keys = { taskId: message.taskId, task: message.name, attempt, status: end.status };
  if (!recorded) {
    // The lease ends unrenewed; the message comes back and the next claim runs the attempt again.
    logger.warn("Outcome not recorded; the task runs again when its lease ends", keys);
    return;
  }
  switch (end.status) {
    case "succeeded":
      logger.info("Task succeeded", keys);
      return settle(ctx, received, { action: "delete", metric: "TasksSucceeded" });
    case "failed":
      await sendToDeadLetters(
        deps,
        ctx.queue,
        JSON.stringify({ taskId: message.taskId, name: message.name }),
        end.error,
      );
      logger.error("Task failed", { ...keys, error: end.error });
      return settle(ctx, received, { action: "delete", metric: "MessagesSettled" });
    case "retrying":
    case "released":
      logger.warn("Task will be retried", { ...keys, retryInSeconds: end.retryInSeconds });
      return settle(ctx, received, { action: "retry", seconds: end.retryInSeconds });
    case "returned":
      logger.info("Task released for another runner (not counted)", keys);
      return settle(ctx, received, { action: "retry", seconds: 0 });
  }
}

/** How the attempt ends in the task's row. */
function attemptEnd(
  processEnd: Exclude<ProcessEnd, { kind: "lease lost" }>,
  message: TaskMessage,
  claim: Extract<ClaimResult, { claimed: true }>,
  ctx: RunnerContext,
): AttemptEnd {
  const { attempt, maxAttempts } = claim;
  switch (processEnd.kind) {
    case "ended":
      return processEnd.end;
    case "released":
      return { attempt, status: "returned", retryInSeconds: 0 };
    case "hard limit":
    case "crashed": {
      const error =
        processEnd.kind === "hard limit"
          ? `HardTimeLimitExceeded: hard time limit of ${processEnd.limitSeconds}s reached; the run was stopped`
          : `The task's process exited (code ${processEnd.code ?? "none"}, signal ${processEnd.signal ?? "none"})`;
      if (attempt >= maxAttempts) return { attempt, status: "failed", error };
      const retry = runnableTask(message.name)?.retry;
      const retryInSeconds = retry ? backoffSeconds(attempt, retry, ctx.random) : 1;
      return { attempt, status: "retrying", error, retryInSeconds };
    }
  }
}

/**
 * Every third of the lease: the message's visibility and the row's lease both pushed a lease ahead.
 * When the row says the attempt is no longer ours, or the lease is about to end unrenewed (the
 * database is away), the run stops: past that point another runner may claim the task.
 */
function startHeartbeat(
  ctx: RunnerContext,
  received: ReceivedMessage,
  id: string,
  attempt: number,
  running: RunningAttempt,
): { stop: () => Promise<void> } {
  const leaseMs = ctx.leaseSeconds * 1000;
  let renewedAt = Date.now();
  let inFlight: Promise<void> | undefined;
  const beat = async () => {
    const [visible, lease] = await Promise.allSettled([
      ctx.deps.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueOf(ctx.deps, ctx.queue).url,
          ReceiptHandle: received.receiptHandle,
          VisibilityTimeout: ctx.leaseSeconds,
        }),
      ),
      extendLease(ctx.deps.db, id, attempt, ctx.leaseSeconds),
    ]);
    if (visible.status === "rejected")
      ctx.logger.warn("Heartbeat: could not extend the message's visibility", { error: visible.reason as Error });
    if (lease.status === "fulfilled" && !lease.value) return running.stop("lease lost");
    if (lease.status === "fulfilled") renewedAt = Date.now();
    else ctx.logger.warn("Heartbeat: could not extend the lease", { error: lease.reason as Error });
    ctx.logger.debug("Heartbeat", { taskId: id, attempt, renewed: lease.status === "fulfilled" });
    if (Date.now() - renewedAt > (leaseMs * 2) / 3) running.stop("lease lost");
  };
  const timer = setInterval(() => {
    inFlight ??= beat().finally(() => (inFlight = undefined));
  }, leaseMs / 3);
  return {
    // A beat still under way would set the visibility back to a lease after the outcome set it (e.g. 0 on release).
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}

type Settlement = { action: "delete"; metric: string } | { action: "retry"; seconds: number };

async function settle(ctx: RunnerContext, received: ReceivedMessage, settlement: Settlement): Promise<void> {
  const QueueUrl = queueOf(ctx.deps, ctx.queue).url;
  const metric = settlement.action === "delete" ? settlement.metric : "MessagesRetried";
  ctx.metrics?.addMetric(metric, MetricUnit.Count, 1);
  try {
    if (settlement.action === "delete")
      await ctx.deps.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.receiptHandle }));
    else
      await ctx.deps.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: received.receiptHandle,
          VisibilityTimeout: Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(settlement.seconds))),
        }),
      );
  } catch (error) {
    // The message still comes back after its visibility timeout; the claim then decides.
    ctx.logger.warn("Could not settle the message", { error: error as Error, action: settlement.action });
  }
}
