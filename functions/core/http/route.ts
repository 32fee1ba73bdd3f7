import middy from "@middy/core";
import type { Method } from "@middy/http-router";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import type * as z from "zod";
import { authenticate } from "../auth/authenticate.js";
import type { Access, Principal } from "../auth/principal.js";
import type { Verifier } from "../auth/verifier.js";
import type { Endpoint } from "../../contracts/api/routes.js";
import { UnauthorizedError, UnsupportedMediaTypeError, ValidationError, type FieldIssue } from "../errors.js";
import { httpErrors } from "./errors.js";
import { inputProblems, textProblem } from "./input-checks.js";

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
  /** For the OpenAPI document: one line on what the route does. */
  summary?: string;
  /** What the route answers on success, by status (null: no body); see contracts/api/routes.ts. */
  responses?: Endpoint["responses"];
  /** Error statuses the route answers on purpose beyond the ones every route may give. */
  problems?: readonly number[];
  /** Tests inject a verifier; deployed functions build theirs from the environment. */
  verifier?: () => Promise<Verifier>;
  handle: (input: RouteInput<P, Q, B>) => Promise<APIGatewayProxyResult>;
}

/** What a route promises, read by the OpenAPI generator and the contract tests. */
export interface RouteContract {
  method: Method;
  path: string;
  auth: Access;
  summary?: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  responses?: Endpoint["responses"];
  problems?: readonly number[];
}

export interface Route {
  method: Method;
  path: string;
  contract: RouteContract;
  handler: middy.MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult>;
}

/**
 * A route authenticates the caller, then validates everything it reads before its handler
 * runs: a request that does not parse is answered 400 with every problem listed, and the
 * handler (which is what writes or enqueues) is never called. Before any schema, every text in
 * the path, the query and the body is checked here once (input-checks.ts), so no route can
 * forget that PostgreSQL refuses NUL characters and lone surrogates.
 */
export function defineRoute<P = unknown, Q = unknown, B = unknown>(spec: RouteSpec<P, Q, B>): Route {
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(httpErrors())
    .handler(async (event, context) => {
      const principal = await authenticate(event, spec.auth ?? "user", spec.verifier);
      // The subject is stored too (created_by, key scopes): a signed token still must not carry a NUL into PostgreSQL.
      if (principal && textProblem(principal.sub)) throw new UnauthorizedError("The token's subject is not valid text");
      if (spec.body && event.body) refuseNonJson(event);
      const rawParams = event.pathParameters ?? {};
      const rawQuery = event.queryStringParameters ?? {};
      const parseIssues: string[] = [];
      const raw = spec.body ? parseBody(event, parseIssues) : undefined;
      // Bad text or a bottomless body is refused before any schema walks it.
      const unsafe = [
        ...parseIssues,
        ...inputProblems("path", rawParams),
        ...inputProblems("query", rawQuery),
        ...(raw === unparsable ? [] : inputProblems("body", raw)),
      ];
      if (unsafe.length > 0) throw new ValidationError("Invalid request", unsafe);
      const issues: FieldIssue[] = [];
      const params = validate("path", spec.params, rawParams, issues);
      const query = validate("query", spec.query, rawQuery, issues);
      const body = validate("body", spec.body, raw, issues);
      if (issues.length > 0) throw new ValidationError("Invalid request", issues);
      return spec.handle({ params: params as P, query: query as Q, body: body as B, principal, event, context });
    });
  const contract: RouteContract = {
    method: spec.method,
    path: spec.path,
    auth: spec.auth ?? "user",
    summary: spec.summary,
    params: spec.params,
    query: spec.query,
    body: spec.body,
    responses: spec.responses,
    problems: spec.problems,
  };
  return { method: spec.method, path: spec.path, contract, handler };
}

function validate<T>(
  where: string,
  schema: z.ZodType<T> | undefined,
  value: unknown,
  issues: FieldIssue[],
): T | undefined {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    issues.push({ path: [where, ...issue.path.map(String)].join("."), message: issue.message });
  }
  return undefined;
}

/**
 * Bodies are JSON. A body sent as a form, XML or a file is refused (415) rather than parsed as
 * JSON by chance; no content type, text/plain and curl's default for `-d`
 * (application/x-www-form-urlencoded) are read as JSON, so `curl -d '{…}'` keeps working.
 */
const jsonReadable = /^(application\/([\w.+-]+\+)?json|text\/plain|application\/x-www-form-urlencoded)$/;

function refuseNonJson(event: APIGatewayProxyEvent): void {
  const header = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === "content-type")?.[1];
  const type = header?.split(";")[0]?.trim().toLowerCase();
  if (type && !jsonReadable.test(type)) {
    throw new UnsupportedMediaTypeError(`The body must be JSON (application/json), not ${type}`);
  }
}

const unparsable = Symbol("unparsable");

// Fatal: bytes that are not UTF-8 are refused, where Buffer's decoder would swap them for U+FFFD unseen.
const utf8 = new TextDecoder("utf-8", { fatal: true });

function parseBody(event: APIGatewayProxyEvent, issues: string[]): unknown {
  if (!event.body) return undefined;
  let text = event.body;
  if (event.isBase64Encoded) {
    try {
      text = utf8.decode(Buffer.from(event.body, "base64"));
    } catch {
      issues.push("body: not valid UTF-8");
      return unparsable;
    }
  }
  try {
    // V8's JSON.parse does not recurse, so a body nested 100,000 levels deep parses; inputProblems refuses it.
    return JSON.parse(text);
  } catch {
    issues.push("body: not valid JSON");
    return unparsable;
  }
}
