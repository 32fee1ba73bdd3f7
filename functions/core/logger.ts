import { Logger } from "@aws-lambda-powertools/logger";

/** One structured JSON logger per function; request and task ids are appended where they are known. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "groundcrew",
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL as "DEBUG" | "INFO" | "WARN" | "ERROR" | undefined) ?? "INFO",
});
