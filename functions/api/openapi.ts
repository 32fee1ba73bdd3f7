import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from "@asteasolutions/zod-to-openapi";
import type * as z from "zod";
import { PROBLEM_CONTENT_TYPE, problemSchema } from "../contracts/api/problem.js";
import { apiPaths } from "../contracts/api/paths.js";
import type { Route, RouteContract } from "../core/http/route.js";
import { statusTitle } from "../core/http/problem.js";

/**
 * The OpenAPI 3.1 document of the routes the API serves, generated from the same zod schemas
 * that check their requests (and, in the tests, their answers). GET /openapi.json calls it on its
 * first request only: a cold start that serves any other route never walks the schemas.
 */
export function openApiDocument(routes: readonly Route[], version: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
  for (const route of routes) registry.registerPath(pathOf(route.contract));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Groundcrew API",
      version,
      description:
        "Every call but GET /health and GET /openapi.json needs a bearer token. Lists answer `{ items, nextCursor }`; " +
        "every answer of 400 or more is RFC 9457 problem details (application/problem+json).",
    },
  });
}

const operationIds = new Map(Object.entries(apiPaths).map(([name, { method, path }]) => [`${method} ${path}`, name]));

function pathOf(contract: RouteContract): RouteConfig {
  const { method, path, auth } = contract;
  const body = contract.body;
  const config: RouteConfig & { "x-access": string } = {
    method: method.toLowerCase() as RouteConfig["method"],
    path,
    operationId: operationIds.get(`${method} ${path}`),
    summary: contract.summary,
    security: auth === "public" ? [] : [{ bearerAuth: [] }],
    "x-access": auth,
    request: {
      params: contract.params as z.ZodObject | undefined,
      query: contract.query as z.ZodObject | undefined,
      body: body
        ? { required: !body.safeParse(undefined).success, content: { "application/json": { schema: body } } }
        : undefined,
    },
    responses: { ...successes(contract), ...problems(contract) },
  };
  return config;
}

function successes(contract: RouteContract): RouteConfig["responses"] {
  const declared = contract.responses ?? { 200: undefined };
  return Object.fromEntries(
    Object.entries(declared).map(([status, schema]) => [
      status,
      schema
        ? { description: statusTitle(Number(status)), content: { "application/json": { schema } } }
        : {
            description: Number(status) === 302 ? "Found: the Location header says where" : statusTitle(Number(status)),
          },
    ]),
  );
}

/** Every route may answer these; a route's own `problems` add to them. */
function problemStatuses(contract: RouteContract): number[] {
  const statuses = new Set<number>(contract.problems ?? []);
  if (contract.params || contract.query || contract.body) statuses.add(400);
  if (contract.auth !== "public") statuses.add(401);
  if (contract.auth === "admin") statuses.add(403);
  if (contract.body) statuses.add(415);
  statuses.add(429).add(500);
  return [...statuses].filter((s) => !(contract.responses && s in contract.responses)).sort((a, b) => a - b);
}

function problems(contract: RouteContract): RouteConfig["responses"] {
  return Object.fromEntries(
    problemStatuses(contract).map((status) => [
      String(status),
      { description: statusTitle(status), content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } },
    ]),
  );
}
