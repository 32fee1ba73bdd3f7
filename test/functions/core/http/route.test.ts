import type { Context } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { ConflictError } from "../../../../functions/core/errors.js";
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
    const response = await route.handler(httpEvent({ body: JSON.stringify({ name: "", count: -1 }), queryStringParameters: { dryRun: "x" } }), context);
    expect(response.statusCode).toBe(400);
    const body = JSON.parse(response.body);
    expect(body.error).toBe("Invalid request");
    expect(body.issues).toHaveLength(3);
    expect(body.issues.join("\n")).toMatch(/body\.name/);
    expect(body.issues.join("\n")).toMatch(/body\.count/);
    expect(body.issues.join("\n")).toMatch(/query\.dryRun/);
    expect(handle).not.toHaveBeenCalled();
  });

  it("answers 400 for a body that is not JSON", async () => {
    const response = await route.handler(httpEvent({ body: "{nope" }), context);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).issues).toEqual(["body: not valid JSON"]);
  });

  it("passes parsed input to the handler", async () => {
    const response = await route.handler(httpEvent({ body: JSON.stringify({ name: "a", count: 2 }) }), context);
    expect(response.statusCode).toBe(201);
    expect(handle).toHaveBeenCalledWith(expect.objectContaining({ body: { name: "a", count: 2 } }));
  });

  it("maps domain errors to their status and hides unexpected ones", async () => {
    const conflicting = defineRoute({ method: "GET", path: "/c", auth: "public", handle: async () => { throw new ConflictError("already running"); } });
    const broken = defineRoute({ method: "GET", path: "/b", auth: "public", handle: async () => { throw new Error("secret detail"); } });
    const conflict = await conflicting.handler(httpEvent(), context);
    expect(conflict.statusCode).toBe(409);
    expect(JSON.parse(conflict.body)).toEqual({ error: "already running" });
    const failure = await broken.handler(httpEvent(), context);
    expect(failure.statusCode).toBe(500);
    expect(failure.body).not.toContain("secret detail");
  });
});
