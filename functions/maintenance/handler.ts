import { Metrics } from "@aws-lambda-powertools/metrics";
import { DeleteObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import * as z from "zod";
import { runtimeConfiguration } from "../core/config/runtime.js";
import { isBound, mediaVariables, queueVariables, readVariables } from "../contracts/environment.js";
import { database } from "../core/db/database.js";
import { ensureEnvironment } from "../core/environment-check.js";
import { logger } from "../core/logger.js";
import { eventDepsFromEnv } from "../events/events.js";
import { failRun, finishRun, runStep } from "./procedure.js";
import type { StepOutcome } from "./step.js";

const metrics = new Metrics({ namespace: "Groundcrew", serviceName: "maintenance" });
const run = { runId: z.string().uuid(), eventId: z.string().uuid() };
const input = z.discriminatedUnion("action", [
  z.object({ action: z.literal("step"), step: z.string(), failAt: z.string().nullish(), ...run }),
  z.object({ action: z.literal("finish"), results: z.record(z.string(), z.unknown()), ...run }),
  z.object({
    action: z.literal("fail"),
    failedStep: z.string(),
    error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }),
    ...run,
  }),
]);

let s3: S3Client | undefined;
const sqs = new SQSClient({});

/** The state machine's Lambda: runs one step, or closes the run as finished or failed. */
export const handler = middy().handler(async (event: unknown) => {
  ensureEnvironment("maintenance");
  const request = input.parse(event);
  const db = database();
  const events = eventDepsFromEnv(db);
  if (request.action === "finish")
    return finishRun(db, events, request, request.results as Record<string, StepOutcome>);
  if (request.action === "fail") return failRun(db, events, request, request.failedStep, describe(request.error));
  const bucket = isBound(mediaVariables) ? readVariables(mediaVariables).MEDIA_BUCKET : undefined;
  const outcome = await runStep(
    {
      db,
      events,
      config: runtimeConfiguration(),
      now: new Date(),
      logger,
      metrics,
      sqs,
      queues: readVariables(queueVariables).GROUNDCREW_QUEUES,
      deleteMediaObject: bucket
        ? async (key) => {
            s3 ??= new S3Client({ forcePathStyle: true });
            await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
          }
        : undefined,
    },
    request,
  );
  metrics.publishStoredMetrics();
  logger.info("Maintenance step", { ...outcome });
  return outcome;
});

function describe(error: { Error?: string; Cause?: string }): string {
  try {
    const cause = JSON.parse(error.Cause ?? "{}") as { errorMessage?: string; errorType?: string };
    return `${cause.errorType ?? error.Error ?? "Error"}: ${cause.errorMessage ?? error.Cause ?? ""}`.trim();
  } catch {
    return `${error.Error ?? "Error"}: ${error.Cause ?? ""}`;
  }
}
