import type { Logger } from "@aws-lambda-powertools/logger";
import { isUnavailable } from "../core/db/unavailable.js";
import { backoffSeconds } from "../tasks/backoff.js";
import type { TaskDeps } from "../tasks/deps.js";
import { recordProgress, type AttemptEnd, type ClaimResult } from "../tasks/lifecycle.js";
import { noTaskServices } from "../tasks/deps.js";
import { runnableTask } from "../tasks/implementations.js";
import type { TaskMessage } from "../tasks/task-record.js";
import { runWithSoftLimit } from "./run-with-limit.js";

export type Claimed = Extract<ClaimResult, { claimed: true }>;

export interface RunOptions {
  /** Milliseconds until the Lambda's hard timeout. */
  remainingMs: () => number;
  logger: Logger;
  random?: () => number;
}

export const GRACE_MS = 2_000;
/** Kept between the soft limit and the hard one, to record the outcomes (with retries) or carry them. */
export const BOOKKEEPING_MS = 5_000;

/** An attempt given up before it ran. */
const failed = (attempt: number, error: string) => ({ end: { attempt, status: "failed", error } as const, ran: false });

/**
 * Runs one claimed attempt and says how it ended; nothing is written here but the task's own
 * progress (the batch records every outcome together afterwards).
 *
 * `first`: no task of this batch has run yet. The first task runs with whatever time is left, as
 * a batch of one always did. A task later in the batch starts only when its whole soft limit fits before the Lambda's end:
 * cut short, it would fail an attempt for no fault of its own. Otherwise it is `returned`: given
 * back without counting, and woken again by a fresh message (Celery's prefetched tasks go back to
 * the broker the same way when a worker stops).
 */
export async function runAttempt(
  deps: TaskDeps,
  message: TaskMessage,
  claim: Claimed,
  options: RunOptions,
  first: boolean,
): Promise<{ end: AttemptEnd; ran: boolean }> {
  const { taskId, name } = message;
  const { attempt, maxAttempts } = claim;

  if (attempt > maxAttempts)
    return failed(attempt, `gave up after ${maxAttempts} attempts (the last worker died or timed out)`);
  const definition = runnableTask(name);
  if (!definition) return failed(attempt, `unknown task "${name}"`);
  const payload = definition.payload.safeParse(claim.payload);
  // A payload that no longer validates will not validate on a retry either.
  if (!payload.success) {
    const problems = payload.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    return failed(attempt, `payload no longer valid: ${problems}`);
  }

  const fullMs = definition.timeLimitSeconds * 1000;
  const budgetMs = options.remainingMs() - GRACE_MS - BOOKKEEPING_MS;
  if (!first && budgetMs < fullMs) return { end: { attempt, status: "returned", retryInSeconds: 0 }, ran: false };

  const keys = { taskId, task: name, attempt };
  const logger = options.logger;
  let child: Logger | undefined;
  let result: unknown;
  try {
    result = await runWithSoftLimit(Math.max(1_000, Math.min(fullMs, budgetMs)), GRACE_MS, (signal) =>
      definition.run(payload.data, {
        taskId,
        attempt,
        signal,
        // A child logger costs tens of microseconds to build: only a task that logs pays for it.
        get logger() {
          return (child ??= logger.createChild({ persistentKeys: keys }));
        },
        db: deps.db,
        services: deps.services ?? noTaskServices,
        progress: (percent, note) => recordProgress(deps.db, taskId, attempt, percent, note),
      }),
    );
  } catch (error) {
    const delay = backoffSeconds(attempt, definition.retry, options.random);
    if (isUnavailable(error)) {
      logger.warn("The task met a database outage; retrying without counting the attempt", {
        ...keys,
        retryInSeconds: delay,
      });
      return { end: { attempt, status: "released", retryInSeconds: delay }, ran: true };
    }
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (attempt >= maxAttempts) return { end: { attempt, status: "failed", error: reason }, ran: true };
    logger.warn("Task failed; retrying", { ...keys, error: reason, retryInSeconds: delay });
    return { end: { attempt, status: "retrying", error: reason, retryInSeconds: delay }, ran: true };
  }
  return { end: { attempt, status: "succeeded", result: result ?? null }, ran: true };
}
