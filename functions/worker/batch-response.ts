import type { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import { ChangeMessageVisibilityBatchCommand } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { queueOf, type TaskDeps } from "../tasks/deps.js";
import { processBatch, type Outcome, type ProcessOptions } from "./process-message.js";

/**
 * An SQS batch → the Lambda's partial batch response. Each message to try again first gets its
 * visibility set to its own delay (a retry's backoff, or until another worker's lease ends), in one
 * SQS call for the batch, and is then reported as a batch item failure; every other message is
 * deleted by Lambda. EMF metrics count what finished, what will be retried, what was dropped.
 */
export async function respondToBatch(
  deps: TaskDeps,
  records: readonly SQSRecord[],
  options: ProcessOptions & { metrics: Metrics },
): Promise<SQSBatchResponse> {
  const outcomes = await processBatch(
    deps,
    records.map((record) => record.body),
    options,
  ).catch((error: unknown): Outcome[] => {
    options.logger.error("Unexpected worker error", { error: error as Error });
    return records.map(() => ({ action: "retry", visibilitySeconds: 30, reason: "worker error" }));
  });
  const retries: VisibilityEntry[] = [];
  const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
  for (const [i, record] of records.entries()) {
    const outcome = outcomes[i]!;
    const metric =
      outcome.action === "retry"
        ? "MessagesRetried"
        : outcome.reason === "succeeded"
          ? "TasksSucceeded"
          : "MessagesSettled";
    options.metrics.addMetric(metric, MetricUnit.Count, 1);
    if (outcome.action !== "retry") continue;
    retries.push({ Id: String(i), ReceiptHandle: record.receiptHandle, VisibilityTimeout: outcome.visibilitySeconds });
    batchItemFailures.push({ itemIdentifier: record.messageId });
  }
  if (retries.length > 0) await setVisibility(deps, options.queue, retries, options.logger);
  return { batchItemFailures };
}

type VisibilityEntry = { Id: string; ReceiptHandle: string; VisibilityTimeout: number };

async function setVisibility(deps: TaskDeps, queue: string, entries: VisibilityEntry[], logger: Logger) {
  try {
    const response = await deps.sqs.send(
      new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueOf(deps, queue).url, Entries: entries }),
    );
    if (response.Failed?.length)
      logger.warn("Could not set the retry delay", { failed: response.Failed.map((f) => f.Code ?? f.Message) });
  } catch (error) {
    // The messages still come back, after the queue's visibility timeout instead of their own delay.
    logger.warn("Could not set the retry delay", { error: error as Error });
  }
}
