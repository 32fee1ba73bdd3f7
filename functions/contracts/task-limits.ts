import type { Config } from "./config/schema.js";

/** A task's queue and time limits: what synth checks against the queue's runtime. */
export interface TaskLimits {
  name: string;
  queue: string;
  /** The soft limit (Celery's soft_time_limit): the task's AbortSignal fires. */
  timeLimitSeconds: number;
  /** The hard limit (Celery's time_limit): the run is stopped. Unset: see `hardLimitSeconds`. */
  hardTimeLimitSeconds?: number;
}

/** Lambda's own ceiling: no function runs longer than 15 minutes. */
export const LAMBDA_MAX_SECONDS = 900;
/**
 * What a worker Lambda keeps beside a task's soft limit: 2 s for the task to stop after its signal
 * and 5 s to record the outcome (worker/run-attempt.ts GRACE_MS and BOOKKEEPING_MS; a unit test
 * checks they agree).
 */
export const LAMBDA_MARGIN_SECONDS = 7;
/** A container task without a declared hard limit gets this long after its soft limit to stop. */
export const DEFAULT_HARD_MARGIN_SECONDS = 60;

/**
 * Every task's queue and limits, as declared in functions/tasks/declarations. CDK checks them at
 * synth without loading task code (synth loads nothing under functions/ but the contracts); a unit
 * test (test/functions/runner/task-limits.test.ts) checks this list against the declarations, so a
 * task added there and forgotten here fails the tests, not a deploy.
 */
export const taskLimits: readonly TaskLimits[] = [
  { name: "diagnostics.echo", queue: "default", timeLimitSeconds: 25 },
  { name: "housekeeping.expire-idempotency-keys", queue: "default", timeLimitSeconds: 20 },
  { name: "reports.daily-digest", queue: "reports", timeLimitSeconds: 20 },
  { name: "reports.task-stats", queue: "reports", timeLimitSeconds: 120 },
  { name: "notifications.send", queue: "notifications", timeLimitSeconds: 20 },
  { name: "diagnostics.long-echo", queue: "long", timeLimitSeconds: 1500, hardTimeLimitSeconds: 1800 },
  { name: "diagnostics.runaway", queue: "long", timeLimitSeconds: 2, hardTimeLimitSeconds: 5 },
];

/** The hard limit a runner applies: the declared one, or the soft limit plus a minute. */
export function hardLimitSeconds(task: Pick<TaskLimits, "timeLimitSeconds" | "hardTimeLimitSeconds">): number {
  return task.hardTimeLimitSeconds ?? task.timeLimitSeconds + DEFAULT_HARD_MARGIN_SECONDS;
}

/**
 * Why each task cannot run where it is declared; empty when all fit.
 * - Any queue: the queue exists, and the hard limit is longer than the soft one.
 * - Lambda queue: a hard limit over 900 s can never fit a Lambda (move the task to a container
 *   queue). In prod the soft limit plus the worker's margin must also fit the queue's worker
 *   timeout; the local stage shortens its Lambda timeouts on purpose for quick drills, and the
 *   worker then cuts the soft limit to the time the Lambda has (worker/run-attempt.ts).
 */
export function taskLimitProblems(config: Config, tasks: readonly TaskLimits[] = taskLimits): string[] {
  const problems: string[] = [];
  for (const task of tasks) {
    const queue = Object.hasOwn(config.queues, task.queue) ? config.queues[task.queue] : undefined;
    const at = `task "${task.name}" (queue "${task.queue}", soft ${task.timeLimitSeconds} s`;
    const described = `${at}${task.hardTimeLimitSeconds ? `, hard ${task.hardTimeLimitSeconds} s` : ""})`;
    if (!queue) {
      problems.push(`${described}: no such queue`);
      continue;
    }
    if (task.hardTimeLimitSeconds !== undefined && task.hardTimeLimitSeconds <= task.timeLimitSeconds)
      problems.push(`${described}: the hard limit must be longer than the soft limit`);
    if (queue.runtime === "container") continue;
    const hard = task.hardTimeLimitSeconds ?? task.timeLimitSeconds;
    if (hard > LAMBDA_MAX_SECONDS)
      problems.push(
        `${described}: a Lambda queue's tasks must end within ${LAMBDA_MAX_SECONDS} s; put it on a queue with runtime "container"`,
      );
    else if (config.stage === "prod" && task.timeLimitSeconds + LAMBDA_MARGIN_SECONDS > queue.workerTimeoutSeconds)
      problems.push(
        `${described}: the soft limit plus ${LAMBDA_MARGIN_SECONDS} s must fit the queue's workerTimeoutSeconds (${queue.workerTimeoutSeconds})`,
      );
    else if (task.hardTimeLimitSeconds !== undefined && task.hardTimeLimitSeconds > queue.workerTimeoutSeconds)
      problems.push(
        `${described}: on a Lambda queue the hard limit is the worker's timeout (${queue.workerTimeoutSeconds} s) at most`,
      );
  }
  return problems;
}
