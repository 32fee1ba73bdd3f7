import type { IncomingMessage, ServerResponse } from "node:http";
import { badRequest, DataApiError, fromError, internalFailure, unsupportedResult, validation } from "./errors.js";
import { InternalFailureError, UnsupportedResultError, ValidationError, WireError } from "./wire.js";

/** Request parsing and error mapping for the stand-in's HTTP front. */
export type Body = Record<string, unknown>;

export function asApiError(error: unknown): DataApiError {
  if (error instanceof WireError) return badRequest(error.message);
  if (error instanceof ValidationError) return validation(error.message);
  if (error instanceof UnsupportedResultError) return unsupportedResult(error.message);
  if (error instanceof InternalFailureError) return internalFailure();
  return fromError(error);
}

export function requireString(body: Body, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") throw badRequest(`${field} is required`);
  return value;
}

// The service refuses a call naming no cluster or secret; code that forgets them should fail here too.
export function requireTarget(body: Body): void {
  requireString(body, "resourceArn");
  requireString(body, "secretArn");
  // "Comparing … behaviors", Schema parameter behavior (Serverless v2).
  if (body.schema !== undefined) throw validation("The schema parameter isn't supported");
}

export async function readJson(request: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    return parsed as Body;
  } catch {
    throw new DataApiError("SerializationException", 400, "Request body is not a JSON object");
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, requestId: string): void {
  response.writeHead(status, { "content-type": "application/json", "x-amzn-requestid": requestId });
  response.end(JSON.stringify(body));
}
