import type { Logger } from "@aws-lambda-powertools/logger";
import { isUnavailable } from "../core/db/unavailable.js";
import { backoffSeconds } from "../tasks/backoff.js";
import type { TaskDeps } from "../tasks/deps.js";
import { claimTask, completeTask, failTask, recordProgress, retryTask } from "../tasks/lifecycle.js";
import { parseTaskMessage, sendToDeadLetters } from "../tasks/messages.js";
import { getTask } from "../tasks/registry.js";
import { runWithSoftLimit } from "./run-with-limit.js";

/** What to do with the SQS message once a record is handled. */
export type Outcome =
  | { action: "delete"; reason: string }
  /** Leave it on the queue, invisible for this long (a retry's backoff, or until another worker's lease ends). */
  | { action: "retry"; visibilitySeconds: number; reason: string };

export interface ProcessOptions {
  queue: string;
  /** Milliseconds until the Lambda's hard timeout. */
  remainingMs: () => number;
  logger: Logger;
  random?: () => number;
}

/** While the database is away, messages wait this long before the next try; the task's attempts are not used up. */
const DATABASE_BACKOFF_SECONDS = 15;
const GRACE_MS = 2_000;
/** Kept between the soft limit and the hard one, to record the outcome. */
const BOOKKEEPING_MS = 3_000;

/**
 * One SQS message → at most one run of its task. The claim in the database, not SQS, decides
 * whether this delivery runs: duplicates, redeliveries after a crash and messages of finished or
 * cancelled tasks are recognised there.
 */
export async function processMessage(deps: TaskDeps, body: string, options: ProcessOptions): Promise<Outcome> {
  try {
    return await handle(deps, body, options);
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    options.logger.warn("Database unavailable; the message will be retried", { error: error as Error });
    return { action: "retry", visibilitySeconds: DATABASE_BACKOFF_SECONDS, reason: "database unavailable" };
  }
}

async function handle(deps: TaskDeps, body: string, options: ProcessOptions): Promise<Outcome> {
  const message = parseTaskMessage(body);
  if (!message) {
    await sendToDeadLetters(deps, options.queue, body, "malformed message");
    return { action: "delete", reason: "malformed message sent to the dead-letter queue" };
  }
  const { taskId } = message;
  const leaseSeconds = Math.ceil(options.remainingMs() / 1000) + 10;
  const claim = await claimTask(deps.db, taskId, leaseSeconds);
  if (!claim.claimed) {
    if (claim.status === "running" && claim.leaseExpiresAt) {
      // Another delivery of this message is running the task: come back when its lease ends.
      const wait = Math.ceil((Date.parse(claim.leaseExpiresAt) - deps.now().getTime()) / 1000) + 5;
      return { action: "retry", visibilitySeconds: Math.max(5, Math.min(wait, 43_200)), reason: "task already running" };
    }
    return { action: "delete", reason: `task is ${claim.status}` };
  }

  const { attempt, maxAttempts } = claim;
  const log = options.logger.createChild({ persistentKeys: { taskId, task: message.name, attempt } });
  const giveUp = async (error: string): Promise<Outcome> => {
    await failTask(deps.db, taskId, attempt, error);
    await sendToDeadLetters(deps, options.queue, body, error);
    log.error("Task failed", { error });
    return { action: "delete", reason: "failed; sent to the dead-letter queue" };
  };

  if (attempt > maxAttempts) return giveUp(`gave up after ${maxAttempts} attempts (the last worker died or timed out)`);
  const definition = getTask(message.name);
  if (!definition) return giveUp(`unknown task "${message.name}"`);
  const payload = definition.payload.safeParse(claim.payload);
  // A payload that no longer validates will not validate on a retry either.
  if (!payload.success) return giveUp(`payload no longer valid: ${payload.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);

  const limitMs = Math.max(1_000, Math.min(definition.timeLimitSeconds * 1000, options.remainingMs() - GRACE_MS - BOOKKEEPING_MS));
  try {
    const result = await runWithSoftLimit(limitMs, GRACE_MS, (signal) =>
      definition.run(payload.data, {
        taskId,
        attempt,
        signal,
        logger: log,
        progress: (percent, note) => recordProgress(deps.db, taskId, attempt, percent, note),
      }),
    );
    await completeTask(deps.db, taskId, attempt, result);
    log.info("Task succeeded");
    return { action: "delete", reason: "succeeded" };
  } catch (error) {
    if (isUnavailable(error)) throw error;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (attempt >= maxAttempts) return giveUp(reason);
    await retryTask(deps.db, taskId, attempt, reason);
    const delay = backoffSeconds(attempt, definition.retry, options.random);
    log.warn("Task failed; retrying", { error: reason, retryInSeconds: delay });
    return { action: "retry", visibilitySeconds: delay, reason };
  }
}
