import * as z from "zod";
import type { CreatedObject } from "./service.js";

const s3Record = z.object({
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({
      key: z.string(),
      size: z.number().int().nonnegative().default(0),
      eTag: z.string().default(""),
    }),
  }),
});

const notification = z.union([
  z.object({ Records: z.array(z.unknown()) }),
  // Sent once when the notification is configured; carries no object.
  z.object({ Event: z.literal("s3:TestEvent") }),
]);

/**
 * The ObjectCreated records in one SQS message body from an S3 bucket notification. Keys arrive
 * URL-encoded with "+" for spaces. Anything that is not an S3 notification throws, so the
 * message is retried and ends in the dead-letter queue instead of vanishing.
 */
export function createdObjects(body: string): CreatedObject[] {
  const parsed = notification.parse(JSON.parse(body));
  if (!("Records" in parsed)) return [];
  return parsed.Records.map((raw) => s3Record.parse(raw))
    .filter((record) => record.eventName.startsWith("ObjectCreated:"))
    .map((record) => ({
      key: decodeURIComponent(record.s3.object.key.replace(/\+/g, " ")),
      sizeBytes: record.s3.object.size,
      etag: record.s3.object.eTag,
    }));
}
