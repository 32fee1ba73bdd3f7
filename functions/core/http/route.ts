import middy from "@middy/core";
import type { Method } from "@middy/http-router";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import type { z } from "zod";
import { authenticate } from "../auth/authenticate.js";
import type { Access, Principal } from "../auth/principal.js";
import type { Verifier } from "../auth/verifier.js";
import { ValidationError } from "../errors.js";
import { httpErrors } from "./errors.js";

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The authenticated caller; undefined only on public routes. */
  principal: Principal | undefined;
  event: APIGatewayProxyEvent;
  context: Context;
}

export interface RouteSpec<P, Q, B> {
  method: Method;
  path: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Who may call: "public", any authenticated "user" (the default), or "admin" only. */
  auth?: Access;
  /** Tests inject a verifier; deployed functions build theirs from the environment. */
  verifier?: () => Promise<Verifier>;
  handle: (input: RouteInput<P, Q, B>) => Promise<APIGatewayProxyResult>;
}

export interface Route {
  method: Method;
  path: string;
  handler: middy.MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult>;
}

/**
 * A route authenticates the caller, then validates everything it reads before its handler
 * runs: a request that does not parse is answered 400 with every problem listed, and the
 * handler (which is what writes or enqueues) is never called.
 */
export function defineRoute<P = unknown, Q = unknown, B = unknown>(spec: RouteSpec<P, Q, B>): Route {
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(httpErrors())
    .handler(async (event, context) => {
      const principal = await authenticate(event, spec.auth ?? "user", spec.verifier);
      const issues: string[] = [];
      const params = validate("path", spec.params, event.pathParameters ?? {}, issues);
      const query = validate("query", spec.query, event.queryStringParameters ?? {}, issues);
      const raw = spec.body ? parseBody(event, issues) : undefined;
      const body = raw === unparsable ? undefined : validate("body", spec.body, raw, issues);
      if (issues.length > 0) throw new ValidationError("Invalid request", issues);
      return spec.handle({ params: params as P, query: query as Q, body: body as B, principal, event, context });
    });
  return { method: spec.method, path: spec.path, handler };
}

function validate<T>(where: string, schema: z.ZodType<T> | undefined, value: unknown, issues: string[]): T | undefined {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = [where, ...issue.path.map(String)].join(".");
    issues.push(`${path}: ${issue.message}`);
  }
  return undefined;
}

const unparsable = Symbol("unparsable");

function parseBody(event: APIGatewayProxyEvent, issues: string[]): unknown {
  if (!event.body) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  try {
    return JSON.parse(text);
  } catch {
    issues.push("body: not valid JSON");
    return unparsable;
  }
}
