import middy from "@middy/core";
import httpRouterHandler from "@middy/http-router";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mediaRoutes } from "../../../functions/api/routes/media.js";
import { signLocalToken } from "../../../functions/core/auth/local-token.js";
import { createVerifier } from "../../../functions/core/auth/verifier.js";
import { uuid } from "../../../functions/core/db/parameters.js";
import { MediaRepository } from "../../../functions/media/repository.js";
import { MediaService } from "../../../functions/media/service.js";
import { migrate } from "../../../functions/setup/migrate.js";
import { migrations } from "../../../functions/setup/migrations/index.js";
import { httpEvent } from "../../support/http-event.js";
import type { Route } from "../../../functions/core/http/route.js";
import { assertContract } from "../../integration/contract.js";
import { issues } from "./api-callers.js";
import { startTestDatabase, type TestDatabase } from "../../support/local-database.js";
import { etagOf, FakeSigner, FakeStorage } from "../media/fakes.js";

const secret = new TextEncoder().encode("a-local-signing-secret-of-enough-length-0123456789");
const claims = { issuer: "groundcrew-local", audience: "groundcrew-api" };
const verifier = createVerifier({ ...claims, algorithms: ["HS256"], key: secret, rolesClaim: "roles" });
const tokenFor = (sub: string, roles: string[] = []) => signLocalToken(secret, { ...claims, sub, roles });

describe("media routes", () => {
  let t: TestDatabase;
  let storage: FakeStorage;
  let routes: Route[];
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
    routes = mediaRoutes(
      () => service,
      async () => verifier,
    );
    router = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().handler(httpRouterHandler(routes));
  });

  async function call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; query?: Record<string, string> } = {},
  ) {
    const event = httpEvent({
      httpMethod: method,
      path,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      body: options.body === undefined ? null : JSON.stringify(options.body),
      queryStringParameters: options.query ?? null,
    });
    const response = await router(event, {} as never);
    const json = response.body ? JSON.parse(response.body) : undefined;
    const contentType = response.headers?.["content-type"] as string | undefined;
    assertContract(routes, { method, path, status: response.statusCode, contentType, body: json });
    return { ...response, json };
  }

  /** What the browser and the bucket do with the form: the object lands under the form's key, then its S3 event is processed. */
  async function uploadThroughForm(key: string, text: string): Promise<void> {
    const bytes = new TextEncoder().encode(text);
    await storage.put(key, bytes, "text/plain");
    const service = new MediaService({
      repository: new MediaRepository(t.db),
      storage,
      signer: new FakeSigner(),
      limits: { maxUploadBytes: 100, allowedContentTypes: ["text/plain"], urlTtlSeconds: 60 },
    });
    await service.objectCreated({ key, sizeBytes: bytes.byteLength, etag: etagOf(bytes) });
  }

  async function storedFileOf(sub: string, filename = "a.txt", roles: string[] = []): Promise<string> {
    const created = await call("POST", "/media/uploads", {
      token: await tokenFor(sub, roles),
      body: { filename, contentType: "text/plain", size: 5 },
    });
    await uploadThroughForm(created.json.fields.key, "hello");
    return created.json.id;
  }

  it("answers 401 to anonymous callers on every media route", async () => {
    const some = "/media/00000000-0000-4000-8000-000000000001";
    for (const [method, path] of [
      ["POST", "/media/uploads"],
      ["GET", "/media"],
      ["GET", "/admin/media"],
      ["GET", some],
      ["GET", `${some}/info`],
      ["DELETE", some],
    ] as const) {
      expect((await call(method, path)).statusCode).toBe(401);
    }
  });

  it("creates an upload (201 with url and fields), validating every field first", async () => {
    const token = await tokenFor("alice");
    const created = await call("POST", "/media/uploads", {
      token,
      body: { filename: "a.txt", contentType: "Text/Plain", size: 5 },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json).toMatchObject({
      method: "POST",
      url: "https://bucket.example/",
      fields: { "Content-Type": "text/plain" },
    });
    const bad = await call("POST", "/media/uploads", { token, body: { filename: "", contentType: "nope", size: -1 } });
    expect(bad.statusCode).toBe(400);
    expect(issues(bad)).toHaveLength(3);
    expect(
      (
        await call("POST", "/media/uploads", {
          token,
          body: { filename: "a.txt", contentType: "text/plain", size: 101 },
        })
      ).statusCode,
    ).toBe(413);
    expect(
      (await call("POST", "/media/uploads", { token, body: { filename: "a.html", contentType: "text/html", size: 1 } }))
        .statusCode,
    ).toBe(400);
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

  it("lists the caller's own files on /media for users and admins alike, and everyone's on /admin/media for admins only", async () => {
    await t.db.query("DELETE FROM media_objects");
    await storedFileOf("alice", "alice.txt");
    await storedFileOf("bob", "bob.txt");
    await storedFileOf("root", "root.txt", ["admin"]);
    const names = (response: { json: { items: { filename: string }[] } }) =>
      response.json.items.map((m) => m.filename).sort();
    const admin = await tokenFor("root", ["admin"]);
    expect(names(await call("GET", "/media", { token: await tokenFor("alice") }))).toEqual(["alice.txt"]);
    expect(names(await call("GET", "/media", { token: await tokenFor("bob") }))).toEqual(["bob.txt"]);
    expect(names(await call("GET", "/media", { token: admin }))).toEqual(["root.txt"]);
    // /media has no owner filter: naming someone else changes nothing.
    expect(names(await call("GET", "/media", { token: await tokenFor("bob"), query: { owner: "alice" } }))).toEqual([
      "bob.txt",
    ]);
    expect(names(await call("GET", "/admin/media", { token: admin }))).toEqual(["alice.txt", "bob.txt", "root.txt"]);
    expect(
      names(await call("GET", "/admin/media", { token: admin, query: { owner: "bob", status: "stored" } })),
    ).toEqual(["bob.txt"]);
    expect((await call("GET", "/admin/media", { token: await tokenFor("alice") })).statusCode).toBe(403);
    expect((await call("GET", "/admin/media", { token: await tokenFor("bob") })).statusCode).toBe(403);
    expect((await call("GET", "/admin/media")).statusCode).toBe(401);
  });

  it("hides another user's file (404 on link, info and delete) and leaves it in place", async () => {
    const id = await storedFileOf("alice");
    const bob = await tokenFor("bob");
    for (const [method, path] of [
      ["GET", `/media/${id}`],
      ["GET", `/media/${id}?redirect=1`],
      ["GET", `/media/${id}/info`],
      ["DELETE", `/media/${id}`],
    ] as const) {
      const [bare, query] = path.split("?");
      const response = await call(method, bare as string, { token: bob, query: query ? { redirect: "1" } : undefined });
      expect(response.statusCode).toBe(404);
      expect(response.body).not.toContain("alice");
    }
    expect((await call("GET", `/media/${id}/info`, { token: await tokenFor("alice") })).json).toMatchObject({
      status: "stored",
    });
    expect((await call("GET", `/media/${id}/info`, { token: await tokenFor("root", ["admin"]) })).statusCode).toBe(200);
  });

  it("keeps a stored file's checksum when its upload form is replayed", async () => {
    const token = await tokenFor("alice");
    const created = await call("POST", "/media/uploads", {
      token,
      body: { filename: "a.txt", contentType: "text/plain", size: 20 },
    });
    await uploadThroughForm(created.json.fields.key, "original");
    const before = await call("GET", `/media/${created.json.id}/info`, { token });
    expect(before.json).toMatchObject({ status: "stored", sizeBytes: 8 });
    await uploadThroughForm(created.json.fields.key, "replaced by a replay");
    const after = await call("GET", `/media/${created.json.id}/info`, { token });
    expect(after.json).toEqual(before.json);
    // And the bytes behind the download link are still the original ones.
    const link = await call("GET", `/media/${created.json.id}`, { token });
    const storedKey = decodeURIComponent(new URL(link.json.url).pathname.slice(1));
    expect(new TextDecoder().decode(storage.objects.get(storedKey)?.body)).toBe("original");
  });

  it("stores and shows a cleaned filename, whatever the client sent", async () => {
    const token = await tokenFor("alice");
    const cases: [string, string][] = [
      ["../../../etc/passwd", "passwd"],
      ["..\\..\\secret.txt", "secret.txt"],
      ["evil\u202Etxt.exe", "eviltxt.exe"],
      ["..", "file"],
      [".env", "env"],
      [`${"n".repeat(600)}.txt`, `${"n".repeat(251)}.txt`],
    ];
    for (const [raw, clean] of cases) {
      const created = await call("POST", "/media/uploads", {
        token,
        body: { filename: raw, contentType: "text/plain", size: 5 },
      });
      expect(created.statusCode).toBe(201);
      expect(created.json.fields.key).toBe(`media/incoming/${created.json.id}`);
      await uploadThroughForm(created.json.fields.key, "hello");
      const info = await call("GET", `/media/${created.json.id}/info`, { token });
      expect(info.json).toMatchObject({ filename: clean, status: "stored" });
      const link = await call("GET", `/media/${created.json.id}`, { token });
      expect(new URL(link.json.url).pathname).toMatch(new RegExp(`^/media/${created.json.id}/[A-Za-z0-9._-]+$`));
    }
  });

  it("shows a safe name for rows stored before names were cleaned", async () => {
    const id = "00000000-0000-4000-8000-0000000000aa";
    await t.db.query(
      "INSERT INTO media_objects (id, owner, object_key, filename, content_type, status) VALUES (:id, 'alice', 'media/legacy/x', :filename, 'text/plain', 'pending')",
      { id: uuid(id), filename: "../../../etc/passwd" },
    );
    expect((await call("GET", `/media/${id}/info`, { token: await tokenFor("alice") })).json).toMatchObject({
      filename: "passwd",
    });
  });

  it("deletes for the owner (204), then answers 404", async () => {
    const id = await storedFileOf("alice");
    expect((await call("DELETE", `/media/${id}`, { token: await tokenFor("bob") })).statusCode).toBe(404);
    expect((await call("DELETE", `/media/${id}`, { token: await tokenFor("alice") })).statusCode).toBe(204);
    expect((await call("GET", `/media/${id}`, { token: await tokenFor("alice") })).statusCode).toBe(404);
  });
});
