import type middy from "@middy/core";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { VALIDATION_PROBLEM_TYPE } from "../../contracts/api/problem.js";
import { DomainError, MethodNotAllowedError, ValidationError } from "../errors.js";
import { logger } from "../logger.js";
import { problemOf, problemResponse } from "./problem.js";

/** A validation problem lists this many refused fields in its `detail`; `errors` has them all. */
const DETAIL_ISSUES = 5;

/**
 * The one place errors become HTTP answers, all of them RFC 9457 problem details. Below 500 the
 * message is meant for the caller (`detail`); anything else is logged in full and answered with
 * a generic problem.
 */
export function httpErrors(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: (request) => {
      request.response = errorResponse(request.error);
    },
  };
}

export function errorResponse(error: unknown): APIGatewayProxyResult {
  if (error instanceof ValidationError) {
    const shown = error.issues.slice(0, DETAIL_ISSUES).join("; ");
    const more = error.issues.length > DETAIL_ISSUES ? ` (and ${error.issues.length - DETAIL_ISSUES} more)` : "";
    return problemResponse(
      problemOf(400, shown ? `${shown}${more}` : error.message, {
        type: VALIDATION_PROBLEM_TYPE,
        title: "Invalid request",
        errors: error.fields,
      }),
    );
  }
  if (error instanceof DomainError) {
    if (error.statusCode >= 500) {
      logger.error(error.message, { error: error.cause ?? error });
      return problemResponse(problemOf(error.statusCode, error.message));
    }
    return problemResponse(problemOf(error.statusCode, error.message), headersFor(error));
  }
  // middy's own errors (e.g. the router's 404) carry a status and say whether they may be shown.
  const status = (error as { statusCode?: number } | undefined)?.statusCode;
  const expose = (error as { expose?: boolean } | undefined)?.expose;
  if (typeof status === "number" && status >= 400 && status < 500 && expose !== false) {
    return problemResponse(problemOf(status, (error as Error).message));
  }
  logger.error("Unhandled error", { error: error as Error });
  return problemResponse(problemOf(500, "The server failed to answer; the error is in its log"));
}

/** The headers a status calls for: `allow` on a 405, a bearer challenge on a 401 (RFC 6750). */
function headersFor(error: DomainError): Record<string, string> {
  if (error instanceof MethodNotAllowedError) return { allow: error.allow.join(", ") };
  if (error.statusCode === 401) return { "www-authenticate": 'Bearer realm="groundcrew"' };
  return {};
}
