import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { SQSEvent, SQSHandler, SQSRecord } from "aws-lambda";
import { ensureEnvironment } from "../../core/environment-check.js";
import { logger } from "../../core/logger.js";
import { mediaService } from "../from-env.js";
import { createdObjects } from "../s3-event.js";

const processor = new BatchProcessor(EventType.SQS);

/** One SQS message: every ObjectCreated record in it is marked stored or rejected. */
export async function processRecord(record: SQSRecord): Promise<void> {
  for (const object of createdObjects(record.body)) {
    const outcome = await mediaService().objectCreated(object);
    logger.info("Media object processed", { key: object.key, sizeBytes: object.sizeBytes, outcome });
  }
}

/** S3 ObjectCreated → SQS → here; failed messages are reported one by one and retried alone. */
export const handler: SQSHandler = async (event: SQSEvent, context) => {
  ensureEnvironment("media-processor");
  return processPartialResponse(event, processRecord, processor, { context });
};
