import type middy from "@middy/core";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { DomainError, ValidationError } from "../errors.js";
import { logger } from "../logger.js";
import { json } from "./responses.js";

/**
 * The one place errors become HTTP answers. Below 500 the message is meant for the caller;
 * anything else is logged in full and answered with a generic message.
 */
export function httpErrors(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: (request) => {
      request.response = errorResponse(request.error);
    },
  };
}

export function errorResponse(error: unknown): APIGatewayProxyResult {
  if (error instanceof ValidationError) return json(400, { error: error.message, issues: error.issues });
  if (error instanceof DomainError) {
    if (error.statusCode >= 500) logger.error(error.message, { error: error.cause ?? error });
    return json(error.statusCode, { error: error.message });
  }
  // middy's own errors (e.g. the router's 404) carry a status and say whether they may be shown.
  const status = (error as { statusCode?: number } | undefined)?.statusCode;
  const expose = (error as { expose?: boolean } | undefined)?.expose;
  if (typeof status === "number" && status < 500 && expose !== false) {
    return json(status, { error: (error as Error).message });
  }
  logger.error("Unhandled error", { error: error as Error });
  return json(500, { error: "Internal server error" });
}
