import type { Context } from "aws-lambda";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as z from "zod";
import { VALIDATION_PROBLEM_TYPE } from "../../../../functions/contracts/api/problem.js";
import { ConflictError } from "../../../../functions/core/errors.js";
import { signLocalToken } from "../../../../functions/core/auth/local-token.js";
import { createVerifier } from "../../../../functions/core/auth/verifier.js";
import { json } from "../../../../functions/core/http/responses.js";
import { defineRoute } from "../../../../functions/core/http/route.js";
import { httpEvent } from "../../../support/http-event.js";

const context = {} as Context;

describe("defineRoute", () => {
  const handle = vi.fn(async () => json(201, { ok: true }));
  const route = defineRoute({
    method: "POST",
    path: "/things",
    body: z.object({ name: z.string().min(1), count: z.number().int().positive() }),
    query: z.object({ dryRun: z.enum(["0", "1"]).optional() }),
    auth: "public",
    handle,
  });

  it("answers 400 listing every problem and never calls the handler", async () => {
    const response = await route.handler(
      httpEvent({ body: JSON.stringify({ name: "", count: -1 }), queryStringParameters: { dryRun: "x" } }),
      context,
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers?.["content-type"]).toBe("application/problem+json");
    const body = JSON.parse(response.body);
    expect(body).toMatchObject({ type: VALIDATION_PROBLEM_TYPE, title: "Invalid request", status: 400 });
    expect(body.errors).toHaveLength(3);
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      "body.count",
      "body.name",
      "query.dryRun",
    ]);
    expect(handle).not.toHaveBeenCalled();
  });

  it("answers 400 for a body that is not JSON", async () => {
    const response = await route.handler(httpEvent({ body: "{nope" }), context);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors).toEqual([{ path: "body", message: "not valid JSON" }]);
  });

  it("passes parsed input to the handler", async () => {
    const response = await route.handler(httpEvent({ body: JSON.stringify({ name: "a", count: 2 }) }), context);
    expect(response.statusCode).toBe(201);
    expect(handle).toHaveBeenCalledWith(expect.objectContaining({ body: { name: "a", count: 2 } }));
  });

  it("maps domain errors to their status and hides unexpected ones", async () => {
    const conflicting = defineRoute({
      method: "GET",
      path: "/c",
      auth: "public",
      handle: async () => {
        throw new ConflictError("already running");
      },
    });
    const broken = defineRoute({
      method: "GET",
      path: "/b",
      auth: "public",
      handle: async () => {
        throw new Error("secret detail");
      },
    });
    const conflict = await conflicting.handler(httpEvent(), context);
    expect(conflict.statusCode).toBe(409);
    expect(JSON.parse(conflict.body)).toEqual({
      type: "about:blank",
      title: "Conflict",
      status: 409,
      detail: "already running",
    });
    const failure = await broken.handler(httpEvent(), context);
    expect(failure.statusCode).toBe(500);
    expect(failure.body).not.toContain("secret detail");
    expect(JSON.parse(failure.body)).toMatchObject({
      type: "about:blank",
      title: "Internal Server Error",
      status: 500,
    });
    expect(failure.headers?.["content-type"]).toBe("application/problem+json");
  });

  describe("checks at the edge, before any schema", () => {
    const reached = vi.fn(async () => json(200, { ok: true }));
    const open = defineRoute({
      method: "POST",
      path: "/open/{name}",
      params: z.object({ name: z.string() }),
      query: z.object({ topic: z.string().optional() }),
      body: z.object({ name: z.string(), payload: z.unknown() }).passthrough(),
      auth: "public",
      handle: reached,
    });
    const send = (overrides: Parameters<typeof httpEvent>[0]) =>
      open.handler(httpEvent({ pathParameters: { name: "ok" }, ...overrides }), context);
    const issuesOf = (response: { body: string }) =>
      (JSON.parse(response.body).errors as { path: string; message: string }[]).map((e) => `${e.path}: ${e.message}`);
    beforeEach(() => reached.mockClear());

    it("answers 400 naming the field for NUL or a lone surrogate in the body, keys included", async () => {
      // What a client sends: JSON text with escapes, which JSON.parse turns into the bad characters.
      const cases: [string, string][] = [
        ['{"name":"a","payload":{"message":"x\\u0000y"}}', "body.payload.message: contains a NUL character"],
        ['{"name":"\\ud800","payload":1}', "body.name: contains a lone surrogate (not valid Unicode)"],
        [
          '{"name":"a","payload":{"\\udc00":1}}',
          "body.payload: has a key that contains a lone surrogate (not valid Unicode)",
        ],
        ['{"name":"a","payload":[1,["\\u0000"]]}', "body.payload.1.0: contains a NUL character"],
      ];
      for (const [body, issue] of cases) {
        const response = await send({ body });
        expect(response.statusCode, body).toBe(400);
        expect(issuesOf(response)).toEqual([issue]);
      }
      expect(reached).not.toHaveBeenCalled();
    });

    it("answers 400 for bad text in the path and the query", async () => {
      const inPath = await send({ pathParameters: { name: "a\u0000" } });
      expect(inPath.statusCode).toBe(400);
      expect(issuesOf(inPath)).toEqual(["path.name: contains a NUL character"]);
      const inQuery = await send({ queryStringParameters: { topic: "\ud800" } });
      expect(inQuery.statusCode).toBe(400);
      expect(issuesOf(inQuery)).toEqual(["query.topic: contains a lone surrogate (not valid Unicode)"]);
      expect(reached).not.toHaveBeenCalled();
    });

    it("answers 400 to a body nested 100,000 levels deep, and to one level past the limit", async () => {
      const deep = `{"name":"a","payload":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
      const response = await send({ body: deep });
      expect(response.statusCode).toBe(400);
      expect(issuesOf(response)).toEqual(["body.payload: nested more than 32 levels deep"]);
      // The body object is level 1: a payload 31 arrays deep is level 32, allowed; 32 is one too many.
      expect((await send({ body: `{"name":"a","payload":${"[".repeat(32)}${"]".repeat(32)}}` })).statusCode).toBe(400);
      expect(reached).not.toHaveBeenCalled();
      expect((await send({ body: `{"name":"a","payload":${"[".repeat(31)}${"]".repeat(31)}}` })).statusCode).toBe(200);
    });

    it("answers 400 to a base64 body that is not UTF-8, and reads one that is", async () => {
      const latin1 = await send({
        body: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0xe9, 0x7d]).toString("base64"),
        isBase64Encoded: true,
      });
      expect(latin1.statusCode).toBe(400);
      expect(issuesOf(latin1)).toEqual(["body: not valid UTF-8"]);
      expect(reached).not.toHaveBeenCalled();
      const utf8 = await send({
        body: Buffer.from('{"name":"caf\u00e9 😀","payload":null}').toString("base64"),
        isBase64Encoded: true,
      });
      expect(utf8.statusCode).toBe(200);
      expect(reached).toHaveBeenLastCalledWith(expect.objectContaining({ body: { name: "café 😀", payload: null } }));
    });

    it("answers 401 to a signed token whose subject is not valid text, before anything is stored under it", async () => {
      const secret = new TextEncoder().encode("a-local-signing-secret-of-enough-length-0123456789");
      const claims = { issuer: "groundcrew-local", audience: "groundcrew-api" };
      const verifier = createVerifier({ ...claims, algorithms: ["HS256"], key: secret, rolesClaim: "roles" });
      const signedIn = defineRoute({ method: "GET", path: "/mine", verifier: async () => verifier, handle: reached });
      for (const sub of ["a\u0000b", "\ud800"]) {
        const token = await signLocalToken(secret, { ...claims, sub });
        const response = await signedIn.handler(httpEvent({ headers: { authorization: `Bearer ${token}` } }), context);
        expect(response.statusCode, JSON.stringify(sub)).toBe(401);
      }
      expect(reached).not.toHaveBeenCalled();
      const fine = await signLocalToken(secret, { ...claims, sub: "alice" });
      expect(
        (await signedIn.handler(httpEvent({ headers: { authorization: `Bearer ${fine}` } }), context)).statusCode,
      ).toBe(200);
    });
  });
});
