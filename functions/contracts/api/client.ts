import type * as z from "zod";
import { ApiProblem, isProblem, problemFrom } from "./api-problem.js";
import { apiPaths, type RouteName } from "./paths.js";
import type { ApiRoutes } from "./routes.js";

export { ApiProblem } from "./api-problem.js";

/**
 * A typed client over the API's contract: one method per route, named as in paths.ts, taking
 * `{ params, query, body }` as that route's schemas accept them and resolving to what the route
 * answers on success. Any answer of 400 or more throws an ApiProblem carrying the problem details.
 *
 * Only types come from the schemas (`import type`), so the client's runtime is this file, paths.ts
 * and api-problem.ts: no zod, nothing Node-only. The console bundles it as is.
 *
 *   const api = createApiClient({ baseUrl: "/api", token: () => session.token });
 *   const { items, nextCursor } = await api.listTasks({ query: { status: "failed", limit: 20 } });
 */

type Schema = z.ZodType;

/** A part the route reads: required when its input requires something, optional when all of it may be left out. */
type Part<K extends string, S> = S extends Schema
  ? undefined extends z.input<S>
    ? { [P in K]?: z.input<S> }
    : object extends z.input<S>
      ? { [P in K]?: z.input<S> }
      : { [P in K]: z.input<S> }
  : { [P in K]?: never };

export type RouteInput<E> = Part<"params", E extends { params: infer S } ? S : undefined> &
  Part<"query", E extends { query: infer S } ? S : undefined> &
  Part<"body", E extends { body: infer S } ? S : undefined>;

type SuccessStatus = 200 | 201 | 202 | 204;
type Answer<S> = S extends Schema ? z.output<S> : undefined;

/** What a route resolves to: its success answers' bodies (undefined for one without a body). */
export type RouteOutput<E> = E extends { responses: infer R }
  ? { [S in keyof R & SuccessStatus]: Answer<R[S]> }[keyof R & SuccessStatus]
  : never;

type Method<E> =
  object extends RouteInput<E>
    ? (input?: RouteInput<E>) => Promise<RouteOutput<E>>
    : (input: RouteInput<E>) => Promise<RouteOutput<E>>;

export type ApiClient = { [N in RouteName]: Method<ApiRoutes[N]> };

export interface ApiClientOptions {
  /** Where the routes are: the API URL (`…/api`), or `/api` in a browser on the front door's origin. */
  baseUrl: string;
  /** A bearer token, or a function that gives the current one (refreshed tokens, sign-out). */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

interface CallInput {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const client: Record<string, (input?: CallInput) => Promise<unknown>> = {};
  for (const [name, route] of Object.entries(apiPaths)) {
    client[name] = (input = {}) => call(options, base, route.method, route.path, input);
  }
  return client as unknown as ApiClient;
}

/** `/tasks/{id}` with `{ id }` → `/tasks/3f…`, each value escaped so it stays one path segment. */
export function fillPath(path: string, params: Record<string, unknown> = {}): string {
  return path.replace(/\{([^}]+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined || value === null) throw new TypeError(`${path} needs params.${key}`);
    return encodeURIComponent(text(value));
  });
}

/** Path and query values are strings, numbers or booleans; anything else is sent as JSON rather than "[object Object]". */
const text = (value: unknown): string =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : JSON.stringify(value);

function queryString(query: Record<string, unknown> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) search.append(key, text(value));
  }
  const encoded = search.toString();
  return encoded ? `?${encoded}` : "";
}

async function call(
  options: ApiClientOptions,
  base: string,
  method: string,
  path: string,
  input: CallInput,
): Promise<unknown> {
  const token = typeof options.token === "function" ? await options.token() : options.token;
  const headers: Record<string, string> = { accept: "application/json, application/problem+json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (input.body !== undefined) headers["content-type"] = "application/json";
  const send = options.fetch ?? globalThis.fetch;
  const response = await send(`${base}${fillPath(path, input.params)}${queryString(input.query)}`, {
    method,
    headers,
    body: input.body === undefined ? undefined : JSON.stringify(input.body),
  });
  const body = await readBody(response);
  if (response.status >= 400) {
    throw new ApiProblem(isProblem(body) ? body : problemFrom(response.status, response.statusText, body), body);
  }
  return body;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return undefined;
  if (/[/+]json\b/.test(response.headers.get("content-type") ?? "")) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
