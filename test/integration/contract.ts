import type * as z from "zod";
import { PROBLEM_CONTENT_TYPE, VALIDATION_PROBLEM_TYPE, problemSchema } from "../../functions/contracts/api/problem.js";
import { fitsTemplate } from "../../functions/core/http/path-template.js";
import type { Route } from "../../functions/core/http/route.js";

/** One answer as a test saw it. `path` is relative to the API's base and may carry a query. */
export interface Observed {
  method: string;
  path: string;
  status: number;
  contentType: string | null | undefined;
  /** Parsed JSON, or the text when it was not JSON; "" or undefined when there was no body. */
  body: unknown;
}

/**
 * Answers the API's code never sees: the HTTP server in front (a URL or headers too large: 414,
 * 431, with no body), or API Gateway itself (throttling, a body over its limit, a function that
 * timed out or crashed) as `{"message": …}`. Problem details for the gateway's own answers are
 * gateway responses to configure in infra/constructs/api.ts, not something the routes can send.
 */
const beforeTheApi = new Set([413, 414, 429, 431, 502, 503, 504]);

/** The route that answers `method path`, a static path winning over a template as the router does. */
export function routeFor(routes: readonly Route[], method: string, path: string): Route | undefined {
  const pathname = path.split("?")[0] ?? path;
  const fitting = routes.filter((r) => r.method === method.toUpperCase() && fitsTemplate(r.path, pathname));
  return fitting.sort((a, b) => braces(a.path) - braces(b.path))[0];
}

const braces = (path: string) => (path.match(/\{/g) ?? []).length;

/** Everything in the answer the contract does not allow; empty when it keeps it. */
export function contractProblems(routes: readonly Route[], answer: Observed): string[] {
  const where = `${answer.method} ${answer.path} → ${answer.status}`;
  const route = routeFor(routes, answer.method, answer.path);
  const declared = route?.contract.responses?.[answer.status];
  const type = (answer.contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

  if (declared !== undefined) return bodyProblems(where, declared, type, answer.body);
  if (answer.status >= 400) {
    if (beforeTheApi.has(answer.status) && type !== PROBLEM_CONTENT_TYPE && isGatewayAnswer(answer.body)) return [];
    return problemProblems(where, type, answer);
  }
  if (!route) return [`${where}: no route of the API answers this`];
  return [
    `${where}: status not in the contract (declared: ${Object.keys(route.contract.responses ?? {}).join(", ") || "none"})`,
  ];
}

function bodyProblems(where: string, schema: z.ZodType | null, type: string, body: unknown): string[] {
  if (schema === null) return body === undefined || body === "" ? [] : [`${where}: the contract says no body`];
  if (type !== "application/json") return [`${where}: content type ${type || "(none)"}, expected application/json`];
  const result = schema.safeParse(body);
  return result.success
    ? []
    : result.error.issues.map((i) => `${where}: ${["body", ...i.path].join(".")}: ${i.message}`);
}

function problemProblems(where: string, type: string, answer: Observed): string[] {
  if (type !== PROBLEM_CONTENT_TYPE)
    return [`${where}: content type ${type || "(none)"}, expected ${PROBLEM_CONTENT_TYPE}`];
  const parsed = problemSchema.safeParse(answer.body);
  if (!parsed.success)
    return parsed.error.issues.map((i) => `${where}: ${["problem", ...i.path].join(".")}: ${i.message}`);
  const problems: string[] = [];
  if (parsed.data.status !== answer.status) problems.push(`${where}: problem.status says ${parsed.data.status}`);
  if (parsed.data.type === VALIDATION_PROBLEM_TYPE && !parsed.data.errors?.length) {
    problems.push(`${where}: a validation problem names no field in errors`);
  }
  return problems;
}

function isGatewayAnswer(body: unknown): boolean {
  if (body === undefined || body === "") return true;
  return typeof body === "object" && body !== null && typeof (body as { message?: unknown }).message === "string";
}

/** Throws, naming every difference, when the answer breaks the contract. */
export function assertContract(routes: readonly Route[], answer: Observed): void {
  const problems = contractProblems(routes, answer);
  if (problems.length > 0) throw new Error(`The answer breaks the API contract:\n  ${problems.join("\n  ")}`);
}

let served: Promise<readonly Route[]> | undefined;

/** The routes the API serves, loaded once (their dependencies are read from the environment only when a request runs). */
export function servedRoutes(): Promise<readonly Route[]> {
  served ??= import("../../functions/api/routes/index.js").then((m) => m.routes);
  return served;
}

/** For the shared HTTP callers: checks one answer against the served routes' contract. */
export async function checkAnswer(answer: Observed): Promise<void> {
  assertContract(await servedRoutes(), answer);
}

const operations = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/**
 * What keeps `doc` from being a usable OpenAPI 3.1 document: the version, info, every operation
 * with responses that have descriptions, path parameters declared for each `{name}` in the path,
 * unique operation ids, and every `$ref` pointing at a component that exists.
 */
export function openApiShapeProblems(doc: any): string[] {
  const problems: string[] = [];
  if (typeof doc?.openapi !== "string" || !/^3\.1\.\d+$/.test(doc.openapi)) problems.push(`openapi is ${doc?.openapi}`);
  if (typeof doc?.info?.title !== "string" || typeof doc?.info?.version !== "string")
    problems.push("info lacks title or version");
  const ids = new Set<string>();
  for (const [path, item] of Object.entries<any>(doc?.paths ?? {})) {
    if (!path.startsWith("/")) problems.push(`path ${path} does not start with /`);
    for (const [method, op] of Object.entries<any>(item)) {
      if (!operations.includes(method)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const responses = Object.entries<any>(op.responses ?? {});
      if (responses.length === 0) problems.push(`${where}: no responses`);
      for (const [status, response] of responses) {
        if (!/^([1-5]\d\d|default)$/.test(status)) problems.push(`${where}: response key ${status}`);
        if (typeof response.description !== "string") problems.push(`${where} ${status}: no description`);
      }
      const declared = new Set((op.parameters ?? []).filter((p: any) => p.in === "path").map((p: any) => p.name));
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        if (!declared.has(name)) problems.push(`${where}: path parameter ${name} not declared`);
      }
      if (op.operationId) {
        if (ids.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} used twice`);
        ids.add(op.operationId);
      }
    }
  }
  const text = JSON.stringify(doc);
  for (const [, ref = ""] of text.matchAll(/"\$ref":"([^"]+)"/g)) {
    const target = ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<any>((node, key) => node?.[key], doc);
    if (!ref.startsWith("#/") || target === undefined) problems.push(`$ref ${ref} points at nothing`);
  }
  return [...new Set(problems)];
}
