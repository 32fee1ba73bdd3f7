import type { APIGatewayProxyResult } from "aws-lambda";
import { PROBLEM_CONTENT_TYPE, type Problem } from "../../contracts/api/problem.js";

/** The reason phrases of RFC 9110: the `title` of a problem whose type is about:blank. */
const titles: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  302: "Found",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export const statusTitle = (status: number): string =>
  titles[status] ?? (status >= 500 ? "Server Error" : status >= 400 ? "Client Error" : `HTTP ${status}`);

/** Problem details for a status, typed about:blank unless the caller names a type of its own. */
export function problemOf(status: number, detail?: string, extra: Partial<Problem> = {}): Problem {
  return { type: "about:blank", title: statusTitle(status), status, ...(detail ? { detail } : {}), ...extra };
}

/** An answer carrying problem details (RFC 9457). */
export function problemResponse(problem: Problem, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: problem.status,
    headers: { "content-type": PROBLEM_CONTENT_TYPE, "cache-control": "no-store", ...headers },
    body: JSON.stringify(problem),
  };
}
