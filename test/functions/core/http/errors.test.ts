import { beforeAll, describe, expect, it, vi } from "vitest";
import * as z from "zod";
import { VALIDATION_PROBLEM_TYPE, problemSchema } from "../../../../functions/contracts/api/problem.js";
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from "../../../../functions/core/errors.js";
import { errorResponse } from "../../../../functions/core/http/errors.js";
import { noRoute } from "../../../../functions/core/http/no-route.js";
import { logger } from "../../../../functions/core/logger.js";
import { defineRoute } from "../../../../functions/core/http/route.js";
import { json } from "../../../../functions/core/http/responses.js";
import { httpEvent } from "../../../support/http-event.js";

const answer = (error: unknown) => {
  const response = errorResponse(error);
  return { status: response.statusCode, headers: response.headers ?? {}, problem: JSON.parse(response.body) };
};

describe("errors as RFC 9457 problem details", () => {
  // 5xx answers are logged in full; the log is not what these tests read.
  beforeAll(() => void vi.spyOn(logger, "error").mockImplementation(() => undefined));

  it.each([
    [new UnauthorizedError("Missing bearer token"), 401, "Unauthorized"],
    [new ForbiddenError("Admins only"), 403, "Forbidden"],
    [new NotFoundError("No such task"), 404, "Not Found"],
    [new MethodNotAllowedError("DELETE is not allowed on /tasks", ["GET", "POST"]), 405, "Method Not Allowed"],
    [new ConflictError("already running"), 409, "Conflict"],
    [new PayloadTooLargeError("payload over 10000 bytes"), 413, "Content Too Large"],
    [new UnsupportedMediaTypeError("The body must be JSON"), 415, "Unsupported Media Type"],
    [new TooManyRequestsError(), 429, "Too Many Requests"],
    [new DomainError("The database is unavailable", 503), 503, "Service Unavailable"],
  ])("answers %s as problem+json with its status and message", (error, status, title) => {
    const { status: code, headers, problem } = answer(error);
    expect(code).toBe(status);
    expect(headers["content-type"]).toBe("application/problem+json");
    expect(problem).toEqual({ type: "about:blank", title, status, detail: error.message });
    expect(problemSchema.safeParse(problem).success).toBe(true);
  });

  it("adds the headers the status calls for: allow on a 405, a bearer challenge on a 401", () => {
    expect(answer(new MethodNotAllowedError("no", ["GET", "POST"])).headers.allow).toBe("GET, POST");
    expect(answer(new UnauthorizedError()).headers["www-authenticate"]).toMatch(/^Bearer /);
  });

  it("names every refused field of a 400 in errors, with its path", () => {
    const { status, problem } = answer(
      new ValidationError("Invalid request", [
        { path: "body.priority", message: "Expected number, received string" },
        "query.limit: Too big: expected number to be <=200",
        "a conflicting task just finished; try again",
      ]),
    );
    expect(status).toBe(400);
    expect(problem).toEqual({
      type: VALIDATION_PROBLEM_TYPE,
      title: "Invalid request",
      status: 400,
      detail:
        "body.priority: Expected number, received string; query.limit: Too big: expected number to be <=200; " +
        "a conflicting task just finished; try again",
      errors: [
        { path: "body.priority", message: "Expected number, received string" },
        { path: "query.limit", message: "Too big: expected number to be <=200" },
        { path: "", message: "a conflicting task just finished; try again" },
      ],
    });
  });

  it("hides what an unexpected error says behind a generic 500", () => {
    const { status, problem } = answer(new Error("password=hunter2"));
    expect(status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain("hunter2");
    expect(problem).toMatchObject({ type: "about:blank", title: "Internal Server Error", status: 500 });
  });

  it("keeps middy's own exposed 4xx errors, as problems", () => {
    expect(answer(Object.assign(new Error("Route does not exist"), { statusCode: 404, expose: true })).problem).toEqual(
      {
        type: "about:blank",
        title: "Not Found",
        status: 404,
        detail: "Route does not exist",
      },
    );
  });
});

describe("no route for a request", () => {
  const routes = [
    { method: "GET", path: "/tasks" },
    { method: "POST", path: "/tasks" },
    { method: "POST", path: "/tasks/{id}/cancel" },
  ];

  it("is a 405 naming the allowed methods when the path exists", () => {
    expect(() => noRoute(routes)({ method: "DELETE", path: "/tasks" })).toThrow(MethodNotAllowedError);
    try {
      noRoute(routes)({ method: "GET", path: "/tasks/abc/cancel" });
    } catch (error) {
      expect((error as MethodNotAllowedError).allow).toEqual(["POST"]);
    }
  });

  it("is a 404 otherwise", () => {
    expect(() => noRoute(routes)({ method: "GET", path: "/nope" })).toThrow(NotFoundError);
    expect(() => noRoute(routes)({ method: "GET", path: "/tasks/abc/cancel/more" })).toThrow(NotFoundError);
    // An empty segment is no task id: the router's own pattern refuses it, and so does this.
    expect(() => noRoute(routes)({ method: "POST", path: "/tasks//cancel" })).toThrow(NotFoundError);
    expect(() => noRoute(routes)({ method: "GET", path: "/tasks//cancel" })).toThrow(NotFoundError);
  });
});

describe("request bodies are JSON", () => {
  const route = defineRoute({
    method: "POST",
    path: "/things",
    auth: "public",
    body: z.object({ name: z.string() }),
    handle: async ({ body }) => json(201, body),
  });
  const send = (contentType: string | undefined) =>
    route.handler(
      httpEvent({ body: '{"name":"a"}', headers: contentType ? { "Content-Type": contentType } : {} }),
      {} as never,
    );

  it.each(["multipart/form-data; boundary=x", "application/xml", "application/octet-stream"])(
    "refuses %s with 415",
    async (type) => {
      const response = await send(type);
      expect(response.statusCode).toBe(415);
      expect(JSON.parse(response.body)).toMatchObject({ status: 415, title: "Unsupported Media Type" });
    },
  );

  it.each([
    undefined,
    "application/json",
    "application/json; charset=utf-8",
    "application/merge-patch+json",
    "text/plain",
    "application/x-www-form-urlencoded",
  ])("reads %s as JSON (curl -d sends a form type)", async (type) => {
    expect((await send(type)).statusCode).toBe(201);
  });
});
