import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  consoleFile,
  contentTypeOf,
  createFrontDoor,
  DEV_SIGN_IN_PATH,
  HEALTH_PATH,
} from "../../localstack/front-door.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A fake upstream that records what reached it and answers with a marker of its own. */
function fakeUpstream(seen: Seen[]): Server {
  return createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      res.writeHead(201, { "content-type": "application/json", "x-upstream": "yes", connection: "close" });
      res.end(JSON.stringify({ reached: req.url }));
    });
  });
}

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/** node:http instead of fetch: fetch would normalise `..` away and refuses a Connection header. */
function rawGet(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: "GET", path, headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the local front door", () => {
  const seen: Seen[] = [];
  const api = fakeUpstream(seen);
  const bucket = fakeUpstream(seen);
  const consoleDir = mkdtempSync(join(tmpdir(), "front-door-console-"));
  let door: Server;
  let base: string;

  beforeAll(async () => {
    writeFileSync(join(consoleDir, "index.html"), "<!doctype html><title>console</title>");
    writeFileSync(join(consoleDir, "app.js"), "console.log('hi')");
    mkdirSync(join(consoleDir, "assets"));
    writeFileSync(join(consoleDir, "assets", "app.1a2b.css"), "body{}");
    writeFileSync(join(tmpdir(), "front-door-secret.txt"), "secret");
    const apiUrl = `${await listen(api)}/_aws/execute-api/abc123/api`;
    const staticUrl = `${await listen(bucket)}/groundcrew-local-staticsite-x`;
    door = createFrontDoor({
      apiUrl,
      staticUrl,
      consoleDir,
      devSignIn: async ({ sub, admin }) => `token-for-${sub}${admin ? "-admin" : ""}`,
    });
    base = await listen(door);
  });
  beforeEach(() => {
    seen.length = 0;
  });
  afterAll(async () => {
    await Promise.all([close(door), close(api), close(bucket)]);
  });

  it("sends /api/* to the API with /api removed, the query kept, and method, body and Authorization forwarded", async () => {
    const response = await fetch(`${base}/api/tasks?status=failed&limit=2`, {
      method: "POST",
      headers: { authorization: "Bearer abc.def.ghi", "content-type": "application/json", "x-custom": "1" },
      body: JSON.stringify({ name: "diagnostics.echo" }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-upstream")).toBe("yes");
    expect(await response.json()).toEqual({ reached: "/_aws/execute-api/abc123/api/tasks?status=failed&limit=2" });
    const [request] = seen;
    expect(request).toMatchObject({ method: "POST", body: JSON.stringify({ name: "diagnostics.echo" }) });
    expect(request!.headers.authorization).toBe("Bearer abc.def.ghi");
    expect(request!.headers["x-custom"]).toBe("1");
    expect(request!.headers["content-type"]).toBe("application/json");
  });

  it("gives the API its own Host, names the viewer's in X-Forwarded-Host, and drops hop-by-hop headers", async () => {
    const door = new URL(base);
    const response = await rawGet(base, "/api/health", { "x-drop-me": "1", connection: "x-drop-me" });
    expect(response.status).toBe(201);
    const headers = seen[0]!.headers;
    expect(headers.host).not.toBe(door.host);
    expect(headers.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(headers["x-forwarded-host"]).toBe(door.host);
    expect(headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(headers["x-drop-me"]).toBeUndefined();
    expect(seen[0]!.url).toBe("/_aws/execute-api/abc123/api/health");
  });

  it("maps /api to the API's root, and leaves paths that only start with the letters alone", async () => {
    await fetch(`${base}/api`);
    await fetch(`${base}/apiary.html`);
    expect(seen.map((s) => s.url)).toEqual([
      "/_aws/execute-api/abc123/api/",
      "/groundcrew-local-staticsite-x/apiary.html",
    ]);
  });

  it("serves / as the static site's index.html and /static/* by key from the bucket, GET and HEAD only", async () => {
    await fetch(`${base}/`);
    await fetch(`${base}/static/app.css`);
    await fetch(`${base}/assets/app.5d41402a.css`, { method: "HEAD" });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "GET /groundcrew-local-staticsite-x/index.html",
      "GET /groundcrew-local-staticsite-x/static/app.css",
      "HEAD /groundcrew-local-staticsite-x/assets/app.5d41402a.css",
    ]);
    const post = await fetch(`${base}/static/app.css`, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
  });

  it("serves console files with their content types, no-cache, and index.html for pages", async () => {
    const index = await fetch(`${base}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(await index.text()).toContain("<title>console</title>");

    const script = await fetch(`${base}/console/app.js`);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await script.text()).toBe("console.log('hi')");
    const css = await fetch(`${base}/console/assets/app.1a2b.css`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");

    const page = await fetch(`${base}/console/tasks/0b6c`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect((await fetch(`${base}/console/missing.js`)).status).toBe(404);

    const bare = await fetch(`${base}/console`, { redirect: "manual" });
    expect(bare.status).toBe(301);
    expect(bare.headers.get("location")).toBe("/console/");
    expect(seen).toEqual([]);
  });

  it("refuses paths that climb out of the console folder, plain or encoded", async () => {
    for (const path of [
      "/console/../front-door-secret.txt",
      "/console/%2e%2e/front-door-secret.txt",
      "/console/assets/..%2f..%2ffront-door-secret.txt",
      "/console/..%5cfront-door-secret.txt",
      "/console/%00",
      "/static/../../etc/passwd",
      "/api/../media/x",
    ]) {
      const answer = await rawGet(base, path);
      expect(answer.status, path).toBe(400);
      expect(answer.body).not.toContain("secret");
    }
  });

  it("answers /media/* with 404 and a note that media is presigned locally", async () => {
    const answer = await fetch(`${base}/media/0b6c/notes.txt`);
    expect(answer.status).toBe(404);
    expect(await answer.text()).toMatch(/presigned/);
    expect(seen).toEqual([]);
  });

  it("answers the console's development sign-in with a token for the form's sub and admin flag", async () => {
    const post = (body: string, contentType = "application/x-www-form-urlencoded") =>
      fetch(`${base}${DEV_SIGN_IN_PATH}`, { method: "POST", headers: { "content-type": contentType }, body });
    const admin = await post("sub=alice&admin=on");
    expect(admin.status).toBe(200);
    expect(admin.headers.get("cache-control")).toBe("no-store");
    expect(await admin.json()).toEqual({ token: "token-for-alice-admin" });
    expect(await (await post("sub=bob")).json()).toEqual({ token: "token-for-bob" });
    expect(await (await post(JSON.stringify({ sub: "carol", admin: true }), "application/json")).json()).toEqual({
      token: "token-for-carol-admin",
    });
    expect((await post("sub=")).status).toBe(400);
    expect((await post("sub=a%20b")).status).toBe(400);
    expect((await post(`sub=${"x".repeat(5000)}`)).status).toBe(413);
    const get = await fetch(`${base}${DEV_SIGN_IN_PATH}`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(seen).toEqual([]);
  });

  it("has no development sign-in unless it was given a way to mint tokens", async () => {
    const plainDoor = createFrontDoor({
      apiUrl: "http://127.0.0.1:1/api",
      staticUrl: "http://127.0.0.1:1/b",
      consoleDir,
    });
    const plainBase = await listen(plainDoor);
    try {
      const answer = await fetch(`${plainBase}${DEV_SIGN_IN_PATH}`, { method: "POST", body: "sub=alice&admin=on" });
      expect(answer.status).toBe(405); // a console file path: GET or HEAD only, no token
      expect(await answer.text()).not.toMatch(/token/);
    } finally {
      await close(plainDoor);
    }
  });

  it("answers 502 when an upstream does not answer, and its health path for local:up", async () => {
    const dead = createFrontDoor({ apiUrl: "http://127.0.0.1:1/api", staticUrl: "http://127.0.0.1:1/b", consoleDir });
    const deadBase = await listen(dead);
    try {
      const answer = await fetch(`${deadBase}/api/health`);
      expect(answer.status).toBe(502);
      const health = await fetch(`${deadBase}${HEALTH_PATH}`);
      expect(await health.json()).toMatchObject({ status: "ok", apiUrl: "http://127.0.0.1:1/api" });
    } finally {
      await close(dead);
    }
  });
});

describe("consoleFile and contentTypeOf", () => {
  it("keep a console path inside its folder", () => {
    expect(consoleFile("/srv/console", "a/b.js")).toBe("/srv/console/a/b.js");
    expect(consoleFile("/srv/console", "")).toBe("/srv/console/index.html");
    expect(consoleFile("/srv/console", "..")).toBeUndefined();
    expect(consoleFile("/srv/console", "a/%2E%2E/%2E%2E/etc/passwd")).toBeUndefined();
    expect(consoleFile("/srv/console", "%E0%A4%A")).toBeUndefined();
  });

  it("name the types browsers need", () => {
    expect(contentTypeOf("x.svg")).toBe("image/svg+xml");
    expect(contentTypeOf("x.WOFF2")).toBe("font/woff2");
    expect(contentTypeOf("x.unknown")).toBe("application/octet-stream");
  });
});
