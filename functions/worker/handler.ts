import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { readVariables, workerVariables } from "../contracts/environment.js";
import { ensureEnvironment } from "../core/environment-check.js";
import { logger } from "../core/logger.js";
import { taskDepsFromEnv, type TaskDeps } from "../tasks/deps.js";
import { taskServicesFromEnv } from "../tasks/services.js";
import { respondToBatch } from "./batch-response.js";

/**
 * The queue this worker serves; `oneAtATime` is set for a queue whose cap is 1, whose tasks then run
 * only while holding the queue's slot. Read at cold start, so a worker deployed without them fails at once.
 */
const { GROUNDCREW_WORKER_QUEUE: queue, GROUNDCREW_WORKER_ONE_AT_A_TIME: oneAtATime } = readVariables(workerVariables);
/** EMF metrics per queue: what finished, what will be retried, what was dropped as a duplicate or final. */
const metrics = new Metrics({ namespace: "Groundcrew", serviceName: "worker", defaultDimensions: { queue } });

/**
 * The worker of one queue (Celery's worker process). The batch's tasks are claimed together, run
 * one by one and recorded together (process-message.ts); those to try again are reported as batch
 * item failures after their visibility was set to the backoff.
 */
export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
  .use(logMetrics(metrics))
  .before(() => ensureEnvironment("worker"))
  .handler((event, context) =>
    respondToBatch(workerDeps(), event.Records, {
      queue,
      oneAtATime,
      remainingMs: () => context.getRemainingTimeInMillis(),
      logger,
      metrics,
    }),
  );

let deps: TaskDeps | undefined;

/** The task dependencies, plus the services only a worker gives its tasks (created when a task first asks). */
function workerDeps(): TaskDeps {
  deps ??= { ...taskDepsFromEnv(), services: taskServicesFromEnv() };
  return deps;
}
