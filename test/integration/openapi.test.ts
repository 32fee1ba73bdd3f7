import { describe, expect, it } from "vitest";
import { apiRoutes } from "../../functions/contracts/api/routes.js";
import { callers } from "./callers.js";
import { contractProblems, openApiShapeProblems, servedRoutes } from "./contract.js";
import { api } from "./outputs.js";

describe("GET /openapi.json on the deployed local stack", () => {
  it("answers anyone with a valid OpenAPI 3.1 document listing every route", async () => {
    const { status, body, headers } = await api("/openapi.json");
    expect(status).toBe(200);
    expect(headers.get("content-type")).toMatch(/^application\/json/);
    expect(body.openapi).toBe("3.1.0");
    expect(openApiShapeProblems(body)).toEqual([]);
    const listed = Object.entries<Record<string, unknown>>(body.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = (await servedRoutes()).map((r) => `${r.method} ${r.path}`);
    expect(listed.sort()).toEqual(served.sort());
    for (const { method, path } of Object.values(apiRoutes)) expect(listed).toContain(`${method} ${path}`);
  });

  it("is the same document for a signed-in caller as for nobody", async () => {
    const as = await callers();
    const anonymous = await as.anonymous.request("GET", "/openapi.json");
    const admin = await as.carol.request("GET", "/openapi.json");
    expect(admin.body).toEqual(anonymous.body);
  });
});

describe("the contract checker every integration request goes through", () => {
  it("goes red on an answer whose shape breaks its route's contract", async () => {
    const routes = await servedRoutes();
    const { body, headers } = await api("/health");
    const observed = { method: "GET", path: "/health", status: 200, contentType: headers.get("content-type"), body };
    expect(contractProblems(routes, observed)).toEqual([]);
    // The old list shape, a renamed field, an error that is not a problem: each is caught.
    expect(contractProblems(routes, { ...observed, path: "/queues", body: { queues: [] } }).join("\n")).toMatch(
      /body\.items/,
    );
    expect(contractProblems(routes, { ...observed, body: { ...body, db: undefined, database: "ok" } })).not.toEqual([]);
    expect(
      contractProblems(routes, { ...observed, status: 404, contentType: "application/json", body: { error: "x" } }),
    ).toEqual(["GET /health → 404: content type application/json, expected application/problem+json"]);
  });
});
