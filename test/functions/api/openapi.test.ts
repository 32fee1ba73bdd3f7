import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../../functions/api/openapi.js";
import { routes } from "../../../functions/api/routes/index.js";
import { apiPaths } from "../../../functions/contracts/api/paths.js";
import { openApiShapeProblems } from "../../integration/contract.js";
import { callerOf } from "./api-callers.js";

const doc = openApiDocument(routes, "test") as any;
const operation = (method: string, path: string) => doc.paths[path]?.[method.toLowerCase()];

describe("the OpenAPI document", () => {
  it("is a well-formed OpenAPI 3.1 document", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(openApiShapeProblems(doc)).toEqual([]);
  });

  it("lists every route the API serves, once, and nothing else", () => {
    const listed = Object.entries<any>(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(listed.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("names each contract route's operation as the typed client does", () => {
    for (const [name, { method, path }] of Object.entries(apiPaths)) {
      expect(operation(method, path)?.operationId, `${method} ${path}`).toBe(name);
    }
  });

  it("describes lists as { items, nextCursor } and errors as problem details", () => {
    const list = operation("GET", "/tasks").responses["200"].content["application/json"].schema;
    expect(list).toEqual({ $ref: "#/components/schemas/TaskList" });
    expect(doc.components.schemas.TaskList.required).toEqual(["items", "nextCursor"]);
    const problem = operation("POST", "/tasks").responses["400"].content["application/problem+json"].schema;
    expect(problem).toEqual({ $ref: "#/components/schemas/Problem" });
    expect(doc.components.schemas.Problem.required).toEqual(["type", "title", "status"]);
  });

  it("says who may call: no security on public routes, a bearer token elsewhere, 403 on admin routes", () => {
    expect(operation("GET", "/health").security).toEqual([]);
    expect(operation("GET", "/openapi.json").security).toEqual([]);
    expect(operation("GET", "/tasks").security).toEqual([{ bearerAuth: [] }]);
    expect(operation("GET", "/queues").responses["403"]).toBeDefined();
    expect(operation("GET", "/queues")["x-access"]).toBe("admin");
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("documents request parameters and bodies from the routes' schemas", () => {
    const query = operation("GET", "/tasks").parameters.map((p: any) => `${p.in}.${p.name}`);
    expect(query).toEqual(["query.status", "query.name", "query.createdBy", "query.limit", "query.cursor"]);
    expect(operation("PATCH", "/schedules/{name}").requestBody.required).toBe(true);
    // A maintenance run may be started without a body.
    expect(operation("POST", "/maintenance/runs").requestBody.required).toBe(false);
  });

  it("is served at GET /openapi.json to anyone, generated once", async () => {
    const call = callerOf(routes);
    const first = await call("GET", "/openapi.json");
    expect(first.statusCode).toBe(200);
    expect(first.json.paths["/tasks"]).toBeDefined();
    expect((await call("GET", "/openapi.json")).body).toBe(first.body);
  });
});
