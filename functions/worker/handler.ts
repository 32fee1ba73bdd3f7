import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { ChangeMessageVisibilityCommand } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { logger } from "../core/logger.js";
import { queueOf, taskDepsFromEnv } from "../tasks/deps.js";
import { processMessage } from "./process-message.js";

const queue = process.env.GROUNDCREW_WORKER_QUEUE ?? "default";
/** Set by CDK (WorkerQueue) for a queue whose cap is 1: tasks then run only while holding the queue's slot. */
const oneAtATime = process.env.GROUNDCREW_WORKER_ONE_AT_A_TIME === "true";
/** EMF metrics per queue: what finished, what will be retried, what was dropped as a duplicate or final. */
const metrics = new Metrics({ namespace: "Groundcrew", serviceName: "worker", defaultDimensions: { queue } });

/**
 * The worker of one queue (Celery's worker process). Records are handled one by one; those to try
 * again are reported as batch item failures after their visibility was set to the backoff.
 */
export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
  .use(logMetrics(metrics))
  .handler(async (event, context) => {
    const deps = taskDepsFromEnv();
    const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
    for (const record of event.Records) {
      const outcome = await processMessage(deps, record.body, {
        queue,
        oneAtATime,
        remainingMs: () => context.getRemainingTimeInMillis(),
        logger,
      }).catch((error: unknown) => {
        logger.error("Unexpected worker error", { error: error as Error, messageId: record.messageId });
        return { action: "retry" as const, visibilitySeconds: 30, reason: "worker error" };
      });
      metrics.addMetric(
        outcome.action === "retry" ? "MessagesRetried" : outcome.reason === "succeeded" ? "TasksSucceeded" : "MessagesSettled",
        MetricUnit.Count,
        1,
      );
      if (outcome.action === "retry") {
        await deps.sqs
          .send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: queueOf(deps, queue).url,
              ReceiptHandle: record.receiptHandle,
              VisibilityTimeout: outcome.visibilitySeconds,
            }),
          )
          .catch((error: unknown) => logger.warn("Could not set the retry delay", { error: error as Error }));
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  });
