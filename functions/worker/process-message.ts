import type { Logger } from "@aws-lambda-powertools/logger";
import { isUnavailable } from "../core/db/unavailable.js";
import { backoffSeconds } from "../tasks/backoff.js";
import type { TaskDeps } from "../tasks/deps.js";
import { claimTask, recordOutcome, recordProgress } from "../tasks/lifecycle.js";
import { MAX_MESSAGE_BYTES, parseTaskMessage, sendTaskMessage, sendToDeadLetters } from "../tasks/messages.js";
import { getTask } from "../tasks/registry.js";
import type { PendingOutcome, TaskMessage } from "../tasks/task-record.js";
import { runWithSoftLimit } from "./run-with-limit.js";
import { writeWithDeadline } from "./write-with-deadline.js";

/** What to do with the SQS message once a record is handled. */
export type Outcome =
  | { action: "delete"; reason: string }
  /** Leave it on the queue, invisible for this long (a retry's backoff, or until another worker's lease ends). */
  | { action: "retry"; visibilitySeconds: number; reason: string };

export interface ProcessOptions {
  queue: string;
  /**
   * The queue's cap is 1: a task runs only while it holds the queue's slot in the database. The
   * event source still lets 2 workers poll (its minimum), so the second one, finding the slot
   * taken, defers its message like during a database outage (see `defer`): no receive is used up,
   * nothing is throttled, nothing reaches the DLQ for waiting its turn.
   */
  oneAtATime?: boolean;
  /** Milliseconds until the Lambda's hard timeout. */
  remainingMs: () => number;
  logger: Logger;
  random?: () => number;
  /** For tests: how the outcome write waits between tries. */
  sleep?: (ms: number) => Promise<void>;
}

/** When even SQS cannot take a fresh message: the old one comes back after this long (one receive used). */
const FALLBACK_RETRY_SECONDS = 15;
/** Deferrals while the database is away: 5 s, 10 s, 20 s, 40 s, then every 60 s (jittered), for as long as it takes. */
const DEFERRAL_BASE_SECONDS = 5;
const DEFERRAL_MAX_SECONDS = 60;
/** A carried outcome comes back soon: it must be recorded before the attempt's lease ends. */
const CARRIED_OUTCOME_DELAY_SECONDS = 5;
const GRACE_MS = 2_000;
/** Kept between the soft limit and the hard one, to record the outcome (with retries) or carry it. */
const BOOKKEEPING_MS = 5_000;
/** Kept free when the outcome write gives up: enough to send the outcome in a fresh message. */
const SEND_RESERVE_MS = 1_500;

/**
 * One SQS message → at most one run of its task. The task row decides; the message is only a
 * wake-up. The claim in the database, not SQS, decides whether this delivery runs: duplicates,
 * redeliveries after a crash and messages of finished or cancelled tasks are recognised there.
 *
 * A database outage of any length neither dead-letters a task nor uses up its attempts:
 * - Before the claim, the message is not failed back to SQS (which would use one receive and,
 *   after maxReceiveCount, dead-letter it while the row still says `queued`). The worker sends a
 *   fresh copy with a growing delay and deletes this one. A fresh message starts at receive count
 *   0, so an outage of an hour is just more deferrals. If the delete is lost, two copies exist;
 *   the claim runs the task once. If SQS too is down, the message is retried the old way, and
 *   should it end in the DLQ anyway, the beat's reconciler (tasks/reconcile.ts) re-wakes the row.
 * - After a run, the outcome write is retried with backoff while the Lambda has time. If it still
 *   fails, the outcome itself rides in a fresh message (see `settle`), so the task is not run again.
 * - An outage inside the task's own code ends the attempt as "released": back to retrying, and not
 *   counted against the task's attempts.
 */
export async function processMessage(deps: TaskDeps, body: string, options: ProcessOptions): Promise<Outcome> {
  const message = parseTaskMessage(body);
  if (!message) {
    await sendToDeadLetters(deps, options.queue, body, "malformed message");
    return { action: "delete", reason: "malformed message sent to the dead-letter queue" };
  }
  try {
    return await handle(deps, message, options);
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    return defer(deps, message, options, "database unavailable");
  }
}

/**
 * The database is away, or the task's one-at-a-time queue is busy: the same wake-up again, later,
 * as a fresh message (receive count 0).
 */
async function defer(deps: TaskDeps, message: TaskMessage, options: ProcessOptions, why: "database unavailable" | "queue busy"): Promise<Outcome> {
  const deferrals = (message.deferrals ?? 0) + 1;
  const because = why === "queue busy" ? "Another task of this one-at-a-time queue is running" : "Database unavailable";
  const ceiling = Math.min(DEFERRAL_MAX_SECONDS, DEFERRAL_BASE_SECONDS * 2 ** (deferrals - 1));
  // Equal jitter: when the database is back, the waiting tasks do not all arrive in the same second.
  const delay = Math.max(1, Math.round(ceiling / 2 + (options.random ?? Math.random)() * (ceiling / 2)));
  try {
    await sendTaskMessage(deps, options.queue, { ...message, deferrals }, delay);
  } catch (error) {
    options.logger.warn(`${because}, and SQS unavailable; the message will be retried`, { error: error as Error });
    return { action: "retry", visibilitySeconds: FALLBACK_RETRY_SECONDS, reason: why };
  }
  options.logger.warn(`${because}; the task is woken again later`, { taskId: message.taskId, deferrals, delaySeconds: delay });
  return { action: "delete", reason: `${why}; deferred` };
}

async function handle(deps: TaskDeps, message: TaskMessage, options: ProcessOptions): Promise<Outcome> {
  const { taskId } = message;
  if (message.outcome) {
    // A run whose outcome could not be written: record it now instead of running the task again.
    const settled = await settleCarried(deps, message, message.outcome, options);
    if (settled) return settled;
    // The row moved on (already recorded, or another attempt took over): an ordinary wake-up.
  }
  const leaseSeconds = Math.ceil(options.remainingMs() / 1000) + 10;
  const claim = await claimTask(deps.db, taskId, leaseSeconds, { oneAtATime: options.oneAtATime });
  if (!claim.claimed) {
    // Another task of this one-at-a-time queue runs: its turn comes later, at no cost in receives.
    if (claim.status === "queue busy") return defer(deps, message, options, "queue busy");
    if (claim.status === "running" && claim.leaseExpiresAt) {
      // Another delivery of this message is running the task: come back when its lease ends.
      const wait = Math.ceil((Date.parse(claim.leaseExpiresAt) - deps.now().getTime()) / 1000) + 5;
      return { action: "retry", visibilitySeconds: Math.max(5, Math.min(wait, 43_200)), reason: "task already running" };
    }
    return { action: "delete", reason: `task is ${claim.status}` };
  }

  const { attempt, maxAttempts } = claim;
  const log = options.logger.createChild({ persistentKeys: { taskId, task: message.name, attempt } });
  const giveUp = (error: string) => settle(deps, message, { attempt, status: "failed", error }, options);

  if (attempt > maxAttempts) return giveUp(`gave up after ${maxAttempts} attempts (the last worker died or timed out)`);
  const definition = getTask(message.name);
  if (!definition) return giveUp(`unknown task "${message.name}"`);
  const payload = definition.payload.safeParse(claim.payload);
  // A payload that no longer validates will not validate on a retry either.
  if (!payload.success) return giveUp(`payload no longer valid: ${payload.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);

  const limitMs = Math.max(1_000, Math.min(definition.timeLimitSeconds * 1000, options.remainingMs() - GRACE_MS - BOOKKEEPING_MS));
  let result: unknown;
  try {
    result = await runWithSoftLimit(limitMs, GRACE_MS, (signal) =>
      definition.run(payload.data, {
        taskId,
        attempt,
        signal,
        logger: log,
        progress: (percent, note) => recordProgress(deps.db, taskId, attempt, percent, note),
      }),
    );
  } catch (error) {
    const delay = backoffSeconds(attempt, definition.retry, options.random);
    if (isUnavailable(error)) {
      log.warn("The task met a database outage; retrying without counting the attempt", { retryInSeconds: delay });
      return settle(deps, message, { attempt, status: "released", retryInSeconds: delay }, options);
    }
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (attempt >= maxAttempts) return giveUp(reason);
    log.warn("Task failed; retrying", { error: reason, retryInSeconds: delay });
    return settle(deps, message, { attempt, status: "retrying", error: reason, retryInSeconds: delay }, options);
  }
  return settle(deps, message, { attempt, status: "succeeded", result: result ?? null }, options);
}

/**
 * Writes how the attempt ended, retrying while the database is away and the Lambda has time.
 *
 * If the write still fails, the task ran but its row says `running` under this attempt's lease.
 * Failing the message back would bring it round again and, once the lease ended, the claim would
 * run the task a second time. So the outcome itself travels instead: a fresh message carrying it
 * (with the attempt it ends) replaces this one, and whichever worker receives it records the
 * outcome rather than claiming. It comes back in seconds and is deferred like any wake-up while
 * the outage lasts, so it is recorded within a deferral (at most a minute) of the database's return.
 * The reconciler only notes such a task at its first look after the outage and wakes it a stale
 * period later (tasks/reconcile.ts), so the carried outcome lands first. The recording names the
 * attempt, so if another attempt did take over meanwhile, the carried outcome is dropped.
 * Only two cases fall back to failing the message back (and so to a possible second run once the
 * lease ends): a result too large for an SQS message (256 KiB), and SQS refusing the send too.
 */
async function settle(deps: TaskDeps, message: TaskMessage, outcome: PendingOutcome, options: ProcessOptions): Promise<Outcome> {
  try {
    await writeWithDeadline(() => recordOutcome(deps.db, message.taskId, outcome), { remainingMs: options.remainingMs, reserveMs: SEND_RESERVE_MS, sleep: options.sleep });
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    return carry(deps, message, outcome, options);
  }
  return afterRecorded(deps, message, outcome, options);
}

/** A carried outcome: recorded → done with it; not recorded because the row moved on → undefined. */
async function settleCarried(deps: TaskDeps, message: TaskMessage, outcome: PendingOutcome, options: ProcessOptions): Promise<Outcome | undefined> {
  const recorded = await writeWithDeadline(() => recordOutcome(deps.db, message.taskId, outcome), {
    remainingMs: options.remainingMs,
    reserveMs: SEND_RESERVE_MS,
    sleep: options.sleep,
  });
  return recorded ? afterRecorded(deps, message, outcome, options) : undefined;
}

async function afterRecorded(deps: TaskDeps, message: TaskMessage, outcome: PendingOutcome, options: ProcessOptions): Promise<Outcome> {
  const log = options.logger.createChild({ persistentKeys: { taskId: message.taskId, task: message.name, attempt: outcome.attempt } });
  switch (outcome.status) {
    case "succeeded":
      log.info("Task succeeded");
      return { action: "delete", reason: "succeeded" };
    case "failed":
      await sendToDeadLetters(deps, options.queue, JSON.stringify({ taskId: message.taskId, name: message.name } satisfies TaskMessage), outcome.error);
      log.error("Task failed", { error: outcome.error });
      return { action: "delete", reason: "failed; sent to the dead-letter queue" };
    case "retrying":
    case "released":
      // The message comes back after the backoff. Should it still carry this outcome, recording
      // it again finds the row `retrying`, not `running`, and the delivery claims the next attempt.
      return { action: "retry", visibilitySeconds: outcome.retryInSeconds, reason: outcome.status === "retrying" ? "retrying" : "database unavailable during the run" };
  }
}

async function carry(deps: TaskDeps, message: TaskMessage, outcome: PendingOutcome, options: ProcessOptions): Promise<Outcome> {
  const carried: TaskMessage = { taskId: message.taskId, name: message.name, outcome };
  if (Buffer.byteLength(JSON.stringify(carried)) > MAX_MESSAGE_BYTES) {
    options.logger.error("Outcome not recorded and too large to carry; the task may run again when its lease ends", { taskId: message.taskId });
    return { action: "retry", visibilitySeconds: FALLBACK_RETRY_SECONDS, reason: "outcome not recorded" };
  }
  try {
    await sendTaskMessage(deps, options.queue, carried, CARRIED_OUTCOME_DELAY_SECONDS);
  } catch (error) {
    options.logger.error("Outcome not recorded and SQS refused to carry it; the task may run again when its lease ends", { error: error as Error });
    return { action: "retry", visibilitySeconds: FALLBACK_RETRY_SECONDS, reason: "outcome not recorded" };
  }
  options.logger.warn("Database unavailable; the outcome travels in a fresh message", { taskId: message.taskId, status: outcome.status });
  return { action: "delete", reason: "outcome carried in a fresh message" };
}
