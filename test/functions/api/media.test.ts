import middy from "@middy/core";
import httpRouterHandler from "@middy/http-router";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mediaRoutes } from "../../../functions/api/routes/media.js";
import { signLocalToken } from "../../../functions/core/auth/local-token.js";
import { createVerifier } from "../../../functions/core/auth/verifier.js";
import { MediaRepository } from "../../../functions/media/repository.js";
import { MediaService } from "../../../functions/media/service.js";
import { migrate } from "../../../functions/setup/migrate.js";
import { migrations } from "../../../functions/setup/migrations/index.js";
import { httpEvent } from "../../support/http-event.js";
import { startTestDatabase, type TestDatabase } from "../../support/local-database.js";
import { FakeSigner, FakeStorage } from "../media/fakes.js";

const secret = new TextEncoder().encode("a-local-signing-secret-of-enough-length-0123456789");
const claims = { issuer: "groundcrew-local", audience: "groundcrew-api" };
const verifier = createVerifier({ ...claims, algorithms: ["HS256"], key: secret, rolesClaim: "roles" });
const tokenFor = (sub: string, roles: string[] = []) => signLocalToken(secret, { ...claims, sub, roles });

describe("media routes", () => {
  let t: TestDatabase;
  let storage: FakeStorage;
  let router: middy.MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult>;

  beforeAll(async () => {
    t = await startTestDatabase();
    await migrate(t.db, migrations);
  });
  afterAll(() => t.close());
  beforeEach(() => {
    storage = new FakeStorage();
    const service = new MediaService({
      repository: new MediaRepository(t.db),
      storage,
      signer: new FakeSigner(),
      limits: { maxUploadBytes: 100, allowedContentTypes: ["text/plain"], urlTtlSeconds: 60 },
    });
    router = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().handler(httpRouterHandler(mediaRoutes(() => service, async () => verifier)));
  });

  async function call(method: string, path: string, options: { token?: string; body?: unknown; query?: Record<string, string> } = {}) {
    const event = httpEvent({
      httpMethod: method,
      path,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      body: options.body === undefined ? null : JSON.stringify(options.body),
      queryStringParameters: options.query ?? null,
    });
    const response = await router(event, {} as never);
    return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
  }

  async function storedFileOf(sub: string): Promise<string> {
    const created = await call("POST", "/media/uploads", { token: await tokenFor(sub), body: { filename: "a.txt", contentType: "text/plain", size: 5 } });
    const key = storage.presigned.at(-1)?.key as string;
    await storage.put(key, new TextEncoder().encode("hello"), "text/plain");
    const service = new MediaService({ repository: new MediaRepository(t.db), storage, signer: new FakeSigner(), limits: { maxUploadBytes: 100, allowedContentTypes: ["text/plain"], urlTtlSeconds: 60 } });
    await service.objectCreated({ key, sizeBytes: 5, etag: "5d41402abc4b2a76b9719d911017c592" });
    return created.json.id;
  }

  it("answers 401 to anonymous callers on every media route", async () => {
    for (const [method, path] of [["POST", "/media/uploads"], ["GET", "/media/00000000-0000-4000-8000-000000000001"], ["DELETE", "/media/00000000-0000-4000-8000-000000000001"]] as const) {
      expect((await call(method, path)).statusCode).toBe(401);
    }
  });

  it("creates an upload (201 with url and fields), validating every field first", async () => {
    const token = await tokenFor("alice");
    const created = await call("POST", "/media/uploads", { token, body: { filename: "a.txt", contentType: "Text/Plain", size: 5 } });
    expect(created.statusCode).toBe(201);
    expect(created.json).toMatchObject({ method: "POST", url: "https://bucket.example/", fields: { "Content-Type": "text/plain" } });
    const bad = await call("POST", "/media/uploads", { token, body: { filename: "", contentType: "nope", size: -1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json.issues).toHaveLength(3);
    expect((await call("POST", "/media/uploads", { token, body: { filename: "a.txt", contentType: "text/plain", size: 101 } })).statusCode).toBe(413);
    expect((await call("POST", "/media/uploads", { token, body: { filename: "a.html", contentType: "text/html", size: 1 } })).statusCode).toBe(400);
  });

  it("returns a signed link to the owner, 302 with ?redirect=1, 404 to another user, 400 for a malformed id", async () => {
    const id = await storedFileOf("alice");
    const link = await call("GET", `/media/${id}`, { token: await tokenFor("alice") });
    expect(link.statusCode).toBe(200);
    expect(link.json.url).toContain(`media/${id}/a.txt`);
    const redirect = await call("GET", `/media/${id}`, { token: await tokenFor("alice"), query: { redirect: "1" } });
    expect(redirect.statusCode).toBe(302);
    expect(String(redirect.headers?.location).split("?")[0]).toBe(link.json.url.split("?")[0]);
    expect((await call("GET", `/media/${id}`, { token: await tokenFor("bob") })).statusCode).toBe(404);
    expect((await call("GET", `/media/${id}`, { token: await tokenFor("root", ["admin"]) })).statusCode).toBe(200);
    expect((await call("GET", "/media/not-a-uuid", { token: await tokenFor("alice") })).statusCode).toBe(400);
    const info = await call("GET", `/media/${id}/info`, { token: await tokenFor("alice") });
    expect(info.json).toMatchObject({ id, status: "stored", sizeBytes: 5, filename: "a.txt" });
  });

  it("lists a user's own files, and anyone's on the admin route, which answers 403 to everyone else", async () => {
    await t.db.query("DELETE FROM media_objects");
    await storedFileOf("alice");
    await storedFileOf("bob");
    const mine = await call("GET", "/media", { token: await tokenFor("alice") });
    expect(mine.json.items.map((m: { filename: string }) => m.filename)).toEqual(["a.txt"]);
    const asAdmin = await call("GET", "/admin/media", { token: await tokenFor("root", ["admin"]), query: { owner: "bob", status: "stored" } });
    expect(asAdmin.json.items).toHaveLength(1);
    expect((await call("GET", "/admin/media", { token: await tokenFor("root", ["admin"]) })).json.items).toHaveLength(2);
    expect((await call("GET", "/admin/media", { token: await tokenFor("alice") })).statusCode).toBe(403);
    expect((await call("GET", "/admin/media")).statusCode).toBe(401);
  });

  it("deletes for the owner (204), then answers 404", async () => {
    const id = await storedFileOf("alice");
    expect((await call("DELETE", `/media/${id}`, { token: await tokenFor("bob") })).statusCode).toBe(404);
    expect((await call("DELETE", `/media/${id}`, { token: await tokenFor("alice") })).statusCode).toBe(204);
    expect((await call("GET", `/media/${id}`, { token: await tokenFor("alice") })).statusCode).toBe(404);
  });
});
