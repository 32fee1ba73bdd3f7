import { contentTypeOf } from "../functions/static-site/files.js";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from "node:http";
import { request as httpsRequest } from "node:https";
import { extname, join, resolve, sep } from "node:path";
import { parseArgs } from "node:util";

/**
 * The local front door: one origin for the browser, as the CloudFront distribution is in prod
 * (infra/constructs/front-door.ts), so the console calls `/api/…` on its own origin and needs no
 * CORS. A plain node:http server; what goes where:
 *
 * | path          | served by                                                                  |
 * | ------------- | -------------------------------------------------------------------------- |
 * | `/api/*`      | the deployed API (`apiUrl`), `/api` removed, method, headers, body as sent |
 * | `POST /console/dev-sign-in` | a token for a form-supplied `sub` (and `admin`): local only, not the API |
 * | `/console/*`  | files of the built console folder; a page without a file answers index.html |
 * | `/media/*`    | 404: locally the API hands out S3 presigned URLs instead                   |
 * | anything else | the static site's bucket on the emulator (`/` is its index.html)           |
 */
export interface FrontDoorOptions {
  /** The API's base URL, e.g. http://127.0.0.1:4566/_aws/execute-api/abc123/api. */
  apiUrl: string;
  /** The static bucket's base URL on the emulator (path style), e.g. http://127.0.0.1:4566/groundcrew-local-staticsite-x. */
  staticUrl: string;
  /** The built console's folder (index.html and its files). */
  consoleDir: string;
  /**
   * Mints a token for the console's development sign-in (`POST /console/dev-sign-in`); without it
   * that path is a 404. Only this local front door has it: it is no route of the API, and the
   * prod front door has nothing like it.
   */
  devSignIn?: (who: { sub: string; admin: boolean }) => Promise<string>;
}

/** Where the console's "Development sign-in" button posts its form (console/build.ts's local config names it). */
export const DEV_SIGN_IN_PATH = "/console/dev-sign-in";

/** A path only the local front door answers, for `local:up` to know it is ready. */
export const HEALTH_PATH = "/_front-door/health";

/** The same table the static site's upload stores objects with, so a file is typed alike locally and in prod. */
export { contentTypeOf };

/** Headers that describe one connection, not the message: never passed through a proxy (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "upgrade",
]);

export function createFrontDoor(options: FrontDoorOptions): Server {
  const consoleRoot = resolve(options.consoleDir);
  return createServer((req, res) => {
    route(req, res, options, consoleRoot).catch((error: unknown) => {
      if (!res.headersSent) plain(res, 502, `front door: ${error instanceof Error ? error.message : String(error)}`);
      else res.destroy();
    });
  });
}

async function route(req: IncomingMessage, res: ServerResponse, options: FrontDoorOptions, consoleRoot: string) {
  // Refused before URL parsing, which would quietly resolve `/console/../x` to `/x`.
  if (climbs(req.url ?? "/")) return plain(res, 400, "refused: the path has a `..` segment\n");
  const url = new URL(req.url ?? "/", "http://front-door.invalid");
  const path = url.pathname;
  if (path === HEALTH_PATH) {
    return json(res, 200, {
      status: "ok",
      apiUrl: options.apiUrl,
      staticUrl: options.staticUrl,
      consoleDir: consoleRoot,
    });
  }
  if (path === "/api" || path.startsWith("/api/")) {
    return proxy(req, res, `${trimSlash(options.apiUrl)}${path.slice("/api".length) || "/"}${url.search}`);
  }
  if (path === "/console") return redirect(res, `/console/${url.search}`);
  if (path === DEV_SIGN_IN_PATH && options.devSignIn) return devSignIn(req, res, options.devSignIn);
  if (path.startsWith("/console/")) return serveConsole(req, res, consoleRoot, path.slice("/console/".length));
  if (path === "/media" || path.startsWith("/media/")) {
    return plain(
      res,
      404,
      "Not here locally: media downloads are S3 presigned URLs the API hands out (GET /api/media/{id}); /media/* is served by the front door in prod only.\n",
    );
  }
  if (req.method !== "GET" && req.method !== "HEAD")
    return plain(res, 405, "static files: GET or HEAD only\n", "GET, HEAD");
  // As in prod, the path is the object's key; `/` is the site's index page.
  return proxy(req, res, `${trimSlash(options.staticUrl)}${path === "/" ? "/index.html" : path}${url.search}`);
}

/** A user name as tokens carry it: letters, digits and `.`, `_`, `@`, `-`. */
const SUB = /^[\w.@-]{1,100}$/;
const TRUE = new Set(["on", "true", "1", "yes"]);

/**
 * The console's development sign-in: a form (`sub=alice&admin=on`, or the same as JSON) answered
 * with `{ token }` signed as `npm run token` signs it. POST only; the answer is never cached.
 */
async function devSignIn(
  req: IncomingMessage,
  res: ServerResponse,
  mint: NonNullable<FrontDoorOptions["devSignIn"]>,
): Promise<void> {
  if (req.method !== "POST") return plain(res, 405, "development sign-in: POST a form with sub and admin\n", "POST");
  const text = await readBody(req, 4096);
  if (text === undefined) return plain(res, 413, "development sign-in: the form is too large\n");
  const form = formFields(text, String(req.headers["content-type"] ?? ""));
  const sub = (form.sub ?? "").trim();
  if (!SUB.test(sub)) return plain(res, 400, "development sign-in: sub must be 1-100 letters, digits, . _ @ -\n");
  const admin = TRUE.has((form.admin ?? "").toLowerCase());
  return json(res, 200, { token: await mint({ sub, admin }) });
}

/** The fields of a urlencoded form, or of a JSON object (strings and booleans as text). */
export function formFields(text: string, contentType: string): Record<string, string | undefined> {
  if (contentType.includes("json")) {
    try {
      const value = JSON.parse(text) as Record<string, unknown>;
      return Object.fromEntries(
        Object.entries(value ?? {}).map(([k, v]) => [
          k,
          typeof v === "string" || typeof v === "boolean" ? String(v) : undefined,
        ]),
      );
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** The request's body as text, or undefined past `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => resolvePromise(size > limit ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Whether a request target has a `..` segment, plain or percent-encoded (`%2e%2e`, `..%2f`, `..%5c`). */
export function climbs(target: string): boolean {
  const path = target.split("?")[0] ?? "";
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return true;
  }
  return decoded.split(/[\\/]/).includes("..");
}

/** Streams the request to `target` and the answer back, with every end-to-end header (Authorization included). */
function proxy(req: IncomingMessage, res: ServerResponse, target: string): Promise<void> {
  const upstream = new URL(target);
  const send = upstream.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const outgoing = send(upstream, { method: req.method, headers: forwardedHeaders(req, upstream) }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(res);
      answer.on("end", () => resolvePromise());
      answer.on("error", reject);
    });
    outgoing.on("error", reject);
    // A browser that gives up (closed tab, aborted fetch) need not keep the upstream request going.
    res.on("close", () => outgoing.destroy());
    req.pipe(outgoing);
  });
}

export function forwardedHeaders(req: IncomingMessage, upstream: URL): OutgoingHttpHeaders {
  const headers = endToEnd(req.headers);
  // The upstream's own name, as CloudFront's origin request policy sends API Gateway its own (not the viewer's Host).
  headers.host = upstream.host;
  headers["x-forwarded-host"] = req.headers.host ?? "";
  headers["x-forwarded-proto"] = "http";
  const client = req.socket.remoteAddress ?? "";
  const previous = req.headers["x-forwarded-for"];
  headers["x-forwarded-for"] = previous ? `${String(previous)}, ${client}` : client;
  return headers;
}

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const connectionScoped = String(headers.connection ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase());
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || connectionScoped.includes(name)) continue;
    kept[name] = value;
  }
  return kept;
}

/**
 * A file of the console, or its index.html for a page path (a single-page app routes in the
 * browser). Paths that climb out of the folder are refused before the disk is touched.
 */
async function serveConsole(req: IncomingMessage, res: ServerResponse, root: string, rest: string): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD")
    return plain(res, 405, "console files: GET or HEAD only\n", "GET, HEAD");
  const file = consoleFile(root, rest);
  if (file === undefined) return plain(res, 400, "refused: the path leaves the console folder\n");
  const found = await fileAt(file);
  if (found) return sendFile(req, res, file, found.size);
  // A page of the console (no file extension) is the app's index.html; a missing file is a 404.
  if (extname(file) !== "") return plain(res, 404, `no such console file: /console/${rest}\n`);
  const index = join(root, "index.html");
  const indexFound = await fileAt(index);
  if (!indexFound) {
    return plain(res, 404, `the console is not built: no index.html in ${root}\n`);
  }
  return sendFile(req, res, index, indexFound.size);
}

/** The absolute file a console path names, or undefined when it is not inside `root` (`..`, encoded or not). */
export function consoleFile(root: string, rest: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.split(/[\\/]/).includes("..")) return undefined;
  const file = resolve(root, decoded === "" || decoded.endsWith("/") ? `${decoded}index.html` : decoded);
  return file === root || file.startsWith(root + sep) ? file : undefined;
}

async function fileAt(path: string): Promise<{ size: number } | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? { size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, size: number): Promise<void> {
  res.writeHead(200, {
    "content-type": contentTypeOf(file),
    "content-length": size,
    // Prod stores every console file with no-cache: the browser revalidates, so a rebuild shows at once.
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
  });
  if (req.method === "HEAD") {
    res.end();
    return Promise.resolve();
  }
  return new Promise((resolvePromise, reject) => {
    createReadStream(file).on("error", reject).pipe(res).on("finish", resolvePromise);
  });
}

function plain(res: ServerResponse, status: number, text: string, allow?: string): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
    ...(allow ? { allow } : {}),
  });
  res.end(text);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(301, { location });
  res.end();
}

const trimSlash = (url: string) => url.replace(/\/+$/, "");

/** `tsx localstack/front-door.ts --port 4568 --api <url> --static <url> --console-dir <folder>` (started by local:up). */
if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      api: { type: "string" },
      static: { type: "string" },
      "console-dir": { type: "string" },
    },
  });
  if (!values.port || !values.api || !values.static || !values["console-dir"]) {
    console.error(
      "usage: front-door.ts --port <n> --api <url> --static <url> --console-dir <folder> [--host 127.0.0.1]",
    );
    process.exit(2);
  }
  const server = createFrontDoor({
    apiUrl: values.api,
    staticUrl: values.static,
    consoleDir: values["console-dir"],
    // Signed with the local stack's secret, as `npm run token` does (reads outputs.json and the emulator).
    // Loaded here only, so local:up's import of this module (HEALTH_PATH) does not pull in the AWS SDK.
    devSignIn: async (who) => (await import("./token.js")).localToken(who),
  });
  server.on("error", (error) => {
    console.error(`front door: ${error.message}`);
    process.exit(1);
  });
  server.listen(Number(values.port), values.host, () => {
    console.log(`front door on http://${values.host}:${values.port}: /api → ${values.api}, / → ${values.static}`);
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
    });
  }
}
