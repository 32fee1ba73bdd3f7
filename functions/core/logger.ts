import { Logger } from "@aws-lambda-powertools/logger";
import { mapErrorStack } from "./source-map.js";

/** One structured JSON logger per function; request and task ids are appended where they are known. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "groundcrew",
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL as "DEBUG" | "INFO" | "WARN" | "ERROR" | undefined) ?? "INFO",
  // Every logged error's stack points at the TypeScript, mapped only when an error is written (core/source-map.ts).
  jsonReplacerFn: (_key, value) => (value instanceof Error ? mapErrorStack(value) : value),
});
