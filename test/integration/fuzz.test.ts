import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Caller, callers, type Role, send, storedMedia } from "./callers.js";

/**
 * Property-based fuzzing of every route and every field it reads, as a user (alice), an admin
 * (carol) and a caller with a forged token. Each request is a valid base request with one thing
 * made hostile: a path segment, a query field, a body field, an extra key, the whole body, or
 * raw text (a 100,000-level-deep array, numbers out of range, broken JSON). The property: no
 * answer is 500 or above. Requests are drawn from a fixed seed, so a failure replays exactly:
 * GROUNDCREW_FUZZ_SEED=<seed> npx vitest run --project integration test/integration/fuzz.test.ts
 */

const seed = Number(process.env.GROUNDCREW_FUZZ_SEED ?? 20_261_122);
const defaultRuns = Number(process.env.GROUNDCREW_FUZZ_RUNS ?? 150);
/** Requests in flight at once: enough to keep the emulator busy without starving the rest of the machine. */
const concurrency = 4;
/**
 * Below the stage's throttle (config api.throttleRateLimit, 100 a second): faster, and API
 * Gateway answers 429 before the route ever sees the request.
 */
const requestsPerSecond = 70;

type FuzzRole = "alice" | "carol" | "forged";

interface Fixture {
  aliceTask: string;
  aliceMedia: string;
  /** alice's project, without subscribers: a fuzzed update that happens to be valid sends no email. */
  aliceProject: string;
  aliceItem: string;
}

interface Target {
  route: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Path params in braces take their base values from `params`. */
  path: string;
  params?: (f: Fixture) => Record<string, string>;
  queryKeys?: string[];
  /** The valid body this route would accept from this caller; undefined when it takes none. */
  body?: (role: FuzzRole) => Record<string, unknown>;
  /** Field paths inside the body to fuzz one at a time. */
  fields?: string[][];
  runs?: number;
}

const thirtyDays = 30 * 86_400;
const anyUuid = "00000000-0000-4000-8000-000000000000";

const targets: Target[] = [
  { route: "GET /health", method: "GET", path: "/health" },
  {
    route: "POST /tasks",
    method: "POST",
    path: "/tasks",
    // Delayed 30 days: a fuzzed body that happens to be valid creates a task that never runs here.
    body: (role) =>
      role === "carol"
        ? { name: "diagnostics.echo", payload: { message: "fuzz" }, delaySeconds: thirtyDays }
        : { name: "reports.task-stats", payload: { hours: 1 }, delaySeconds: thirtyDays },
    fields: [
      ["name"],
      ["payload"],
      ["payload", "message"],
      ["payload", "sleepMs"],
      ["payload", "failTimes"],
      ["payload", "crashOnAttempt"],
      ["payload", "hours"],
      ["payload", "owner"],
      ["delaySeconds"],
      ["runAt"],
      ["idempotencyKey"],
    ],
    runs: 250,
  },
  { route: "GET /tasks", method: "GET", path: "/tasks", queryKeys: ["status", "name", "limit", "cursor"], runs: 200 },
  { route: "GET /tasks/{id}", method: "GET", path: "/tasks/{id}", params: (f) => ({ id: f.aliceTask }) },
  {
    route: "POST /tasks/{id}/cancel",
    method: "POST",
    path: "/tasks/{id}/cancel",
    params: (f) => ({ id: f.aliceTask }),
  },
  { route: "POST /tasks/{id}/retry", method: "POST", path: "/tasks/{id}/retry", params: (f) => ({ id: f.aliceTask }) },
  { route: "GET /queues", method: "GET", path: "/queues" },
  {
    route: "POST /queues/{name}/redrive",
    method: "POST",
    path: "/queues/{name}/redrive",
    params: () => ({ name: "reports" }),
  },
  { route: "GET /schedules", method: "GET", path: "/schedules" },
  {
    route: "PATCH /schedules/{name}",
    method: "PATCH",
    path: "/schedules/{name}",
    params: () => ({ name: "reports.daily-digest" }),
    body: () => ({ enabled: true }),
    fields: [["enabled"], ["cron"], ["timezone"]],
    runs: 200,
  },
  {
    route: "DELETE /schedules/{name}/override",
    method: "DELETE",
    path: "/schedules/{name}/override",
    params: () => ({ name: "reports.daily-digest" }),
  },
  // Each valid request enqueues one heartbeat echo: harmless, and quick to run.
  {
    route: "POST /schedules/{name}/run",
    method: "POST",
    path: "/schedules/{name}/run",
    params: () => ({ name: "diagnostics.heartbeat" }),
  },
  { route: "GET /maintenance/steps", method: "GET", path: "/maintenance/steps" },
  {
    route: "PATCH /maintenance/steps/{name}",
    method: "PATCH",
    path: "/maintenance/steps/{name}",
    params: () => ({ name: "purge-old-events" }),
    body: () => ({ enabled: true }),
    fields: [["enabled"]],
  },
  // A valid request starts a real maintenance run (then 409 while it lasts): fewer runs here.
  {
    route: "POST /maintenance/runs",
    method: "POST",
    path: "/maintenance/runs",
    body: () => ({}),
    fields: [["failAt"]],
    runs: 60,
  },
  { route: "GET /events", method: "GET", path: "/events", queryKeys: ["topic", "limit"] },
  { route: "GET /media", method: "GET", path: "/media", queryKeys: ["status", "limit"] },
  { route: "GET /admin/media", method: "GET", path: "/admin/media", queryKeys: ["status", "limit", "owner"] },
  {
    route: "POST /media/uploads",
    method: "POST",
    path: "/media/uploads",
    body: () => ({ filename: "fuzz.txt", contentType: "text/plain", size: 10, method: "POST" }),
    fields: [["filename"], ["contentType"], ["size"], ["method"]],
    runs: 200,
  },
  {
    route: "GET /media/{id}",
    method: "GET",
    path: "/media/{id}",
    params: (f) => ({ id: f.aliceMedia }),
    queryKeys: ["redirect"],
  },
  { route: "GET /media/{id}/info", method: "GET", path: "/media/{id}/info", params: (f) => ({ id: f.aliceMedia }) },
  { route: "DELETE /media/{id}", method: "DELETE", path: "/media/{id}", params: () => ({ id: anyUuid }) },
  {
    route: "POST /projects",
    method: "POST",
    path: "/projects",
    body: () => ({ name: "fuzz" }),
    fields: [["name"], ["email"]],
  },
  { route: "GET /projects", method: "GET", path: "/projects" },
  { route: "GET /projects/{id}", method: "GET", path: "/projects/{id}", params: (f) => ({ id: f.aliceProject }) },
  {
    route: "POST /projects/{id}/members",
    method: "POST",
    path: "/projects/{id}/members",
    params: (f) => ({ id: f.aliceProject }),
    body: () => ({ userId: "fuzz-member" }),
    fields: [["userId"], ["email"], ["subscribed"]],
  },
  {
    route: "POST /projects/{id}/items",
    method: "POST",
    path: "/projects/{id}/items",
    params: (f) => ({ id: f.aliceProject }),
    body: () => ({ title: "fuzz", body: "fuzz" }),
    fields: [["title"], ["body"]],
  },
  {
    route: "PATCH /projects/{id}/items/{itemId}",
    method: "PATCH",
    path: "/projects/{id}/items/{itemId}",
    params: (f) => ({ id: f.aliceProject, itemId: f.aliceItem }),
    body: () => ({ title: "fuzz" }),
    fields: [["title"], ["body"]],
  },
  { route: "GET /settings/notifications", method: "GET", path: "/settings/notifications" },
  {
    route: "PATCH /settings/notifications",
    method: "PATCH",
    path: "/settings/notifications",
    body: () => ({ async: null }),
    fields: [["async"]],
  },
];

// ---- hostile values ----

const prototypeNames = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "prototype",
  "__defineGetter__",
];

const nastyConstants = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\udc00\ud800",
  "😀",
  "\u202e\u200b",
  "\ufeff",
  "../../../etc/passwd",
  "..",
  "%00",
  "' OR 1=1 --",
  "null",
  "NaN",
  "-1",
  "1e400",
  "* * * * * *",
  "0 0 30 2 *",
  "@yearly",
  "utc",
  "Mars/Olympus_Mons",
  "x".repeat(4_000),
  "é".repeat(1_000),
  ...prototypeNames,
];

/** Short enough to travel in a URL (API Gateway allows about 10 KB of request line). */
const urlString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...nastyConstants) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uuid().map(String) },
  // Ordinary text with one poisoned character somewhere in it.
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.string({ maxLength: 20 }),
        fc.constantFrom("\u0000", "\ud800", "\udbff", "\udc00"),
        fc.string({ maxLength: 20 }),
      )
      .map((parts) => parts.join("")),
  },
);

/** Huge bodies stay under the 6 MB a Lambda invocation carries (API Gateway's own limit is 10 MB). */
const hugeStrings = [
  "a".repeat(1_000_000),
  `${"\u0000".repeat(10)}${"b".repeat(500_000)}`,
  "\ud800".repeat(200_000),
  "é".repeat(1_500_000),
  "c".repeat(4_500_000),
];

const numbers = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 0.5, 2 ** 31, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 1e308, -1e308, 5e-324, 365 * 86_400 + 1),
);

/** Nested `depth` levels, alternating arrays and objects. */
function nested(depth: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/** Objects whose own keys are Object.prototype's names, as JSON.parse builds them. */
const prototypeObjects = fc.constantFrom(
  JSON.parse('{"__proto__":{"admin":true,"roles":["admin"]}}') as unknown,
  JSON.parse('{"constructor":{"prototype":{"admin":true}}}') as unknown,
  JSON.parse('{"toString":1,"valueOf":"x","hasOwnProperty":null}') as unknown,
);

const bodyString = fc.oneof(
  { weight: 6, arbitrary: urlString },
  { weight: 1, arbitrary: fc.constantFrom(...hugeStrings) },
);

const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: bodyString },
  { weight: 2, arbitrary: numbers },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(true, false, null, [], {}) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.oneof(urlString, fc.constantFrom(...prototypeNames)), fc.jsonValue({ maxDepth: 2 }), {
      maxKeys: 4,
    }),
  },
  { weight: 1, arbitrary: fc.integer({ min: 30, max: 300 }).map(nested) },
  { weight: 1, arbitrary: prototypeObjects },
);

const deepArray = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
const deepObject = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;

/** Raw text put where one field's value goes: what JSON.stringify cannot write. */
const rawTokens = fc.constantFrom(
  "1e400",
  "-1e400",
  "123456789012345678901234567890",
  "-0",
  "1e-400",
  '"\\u0000"',
  '"\\ud800"',
  '"\\udfff\\ud800"',
  deepArray,
  deepObject,
  `${"[".repeat(40)}${"]".repeat(40)}`,
);

/** Whole bodies as raw text. */
const rawBodies = fc.constantFrom(
  deepArray,
  deepObject,
  "[".repeat(100_000),
  "{not json",
  "",
  "null",
  "[]",
  '"just a string"',
  "1e400",
  '{"__proto__":{"admin":true}}',
  '{"a":1,"a":2}',
  "\ufeff{}",
  "\u0000",
  '"\\ud800"',
);

const base64url = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : (JSON.stringify(value) ?? "null")).toString("base64url");

/** Cursors this API never returned: base64url of arbitrary JSON, of look-alike pairs, or of no JSON at all. */
const forgedCursor = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map(base64url),
  fc.tuple(urlString, urlString).map(base64url),
  fc
    .constantFrom(
      ["x", "y"],
      [1, 2],
      [null, null],
      ["2026-01-01T00:00:00Z", "not-a-uuid"],
      ["not-a-date", anyUuid],
      ["2026-01-01T00:00:00Z"],
      { createdAt: "x", id: anyUuid },
    )
    .map(base64url),
  fc.constantFrom(base64url(deepArray), "!!!", "%", "====", "\u0000"),
);

/** Tokens that look like JWTs but were never signed by the stack, one of them claiming admin with alg "none". */
const forgedToken = fc.oneof(
  fc
    .tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }))
    .map(([header, claims]) => `${base64url(header)}.${base64url(claims)}.${base64url("sig")}`),
  fc.constant(
    `${base64url({ alg: "none", typ: "JWT" })}.${base64url({ sub: "carol", roles: ["admin"], exp: 4_102_444_800 })}.`,
  ),
  fc.string({ unit: "binary-ascii", maxLength: 60 }).map((s) => s.replace(/[^\x21-\x7e]/g, "A")),
);

const rawQueries = fc.constantFrom(
  "limit=1&limit=2",
  "status=%FF",
  "name=%ED%A0%80",
  "topic=%00",
  "cursor=%",
  "redirect[]=1",
  "__proto__=1",
  "constructor[prototype][admin]=1",
  "owner=%C0%AF",
  "limit=1e400",
  "a=" + "b".repeat(4_000),
);

type Mutation =
  | { kind: "none" }
  | { kind: "path"; key: string; value: string }
  | { kind: "query"; key: string; value: string }
  | { kind: "rawQuery"; text: string }
  | { kind: "field"; field: string[]; value: unknown }
  | { kind: "rawField"; field: string[]; text: string }
  | { kind: "key"; key: string; value: unknown }
  | { kind: "body"; value: unknown }
  | { kind: "raw"; text: string };

function mutations(target: Target): fc.Arbitrary<Mutation> {
  const paramNames = [...target.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  const queryKey = fc.oneof(
    fc.constantFrom(...(target.queryKeys ?? ["limit"])),
    fc.constantFrom(...prototypeNames),
    urlString,
  );
  const options: fc.WeightedArbitrary<Mutation>[] = [
    { weight: 1, arbitrary: fc.constant({ kind: "none" }) },
    { weight: 3, arbitrary: fc.tuple(queryKey, urlString).map(([key, value]) => ({ kind: "query", key, value })) },
    { weight: 1, arbitrary: rawQueries.map((text) => ({ kind: "rawQuery", text })) },
  ];
  if (target.queryKeys?.includes("cursor"))
    options.push({ weight: 3, arbitrary: forgedCursor.map((value) => ({ kind: "query", key: "cursor", value })) });
  if (paramNames.length > 0)
    options.push({
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom(...paramNames), urlString)
        .map(([key, value]) => ({ kind: "path", key, value })),
    });
  if (target.method !== "GET") {
    options.push(
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.oneof(fc.constantFrom(...prototypeNames), urlString), jsonValue)
          .map(([key, value]) => ({ kind: "key", key, value })),
      },
      { weight: 1, arbitrary: jsonValue.map((value) => ({ kind: "body", value })) },
      { weight: 1, arbitrary: rawBodies.map((text) => ({ kind: "raw", text })) },
    );
    if (target.fields?.length) {
      const field = fc.constantFrom(...target.fields);
      options.push(
        { weight: 6, arbitrary: fc.tuple(field, jsonValue).map(([f, value]) => ({ kind: "field", field: f, value })) },
        { weight: 2, arbitrary: fc.tuple(field, rawTokens).map(([f, text]) => ({ kind: "rawField", field: f, text })) },
      );
    }
  }
  return fc.oneof(...options);
}

const roleArbitrary = fc.oneof(
  { weight: 3, arbitrary: fc.constant<FuzzRole>("alice") },
  { weight: 3, arbitrary: fc.constant<FuzzRole>("carol") },
  { weight: 1, arbitrary: fc.constant<FuzzRole>("forged") },
);

// ---- building and sending ----

/** Percent-encodes like encodeURIComponent, but a lone surrogate goes out as its WTF-8 bytes instead of throwing. */
function encode(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join("");
    } else out += encodeURIComponent(ch);
  }
  return out;
}

function setField(body: Record<string, unknown>, field: string[], value: unknown): void {
  let node: Record<string, unknown> = body;
  for (const key of field.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  Object.defineProperty(node, field.at(-1) as string, { value, enumerable: true, writable: true, configurable: true });
}

interface Built {
  method: string;
  path: string;
  body: string | undefined;
}

function build(target: Target, role: FuzzRole, mutation: Mutation, fixture: Fixture): Built {
  const params = target.params?.(fixture) ?? {};
  const query: [string, string][] = [];
  let rawQuery = "";
  const body = target.body ? structuredClone(target.body(role)) : undefined;
  let text: string | undefined;
  const rawMarker = "\u0001raw-field\u0001";
  switch (mutation.kind) {
    case "path":
      params[mutation.key] = mutation.value;
      break;
    case "query":
      query.push([mutation.key, mutation.value]);
      break;
    case "rawQuery":
      rawQuery = mutation.text;
      break;
    case "field":
    case "rawField":
      if (body) {
        // runAt and delaySeconds exclude each other: fuzz runAt alone.
        if (mutation.field[0] === "runAt") delete body.delaySeconds;
        setField(body, mutation.field, mutation.kind === "field" ? mutation.value : rawMarker);
      }
      break;
    case "key":
      if (body) setField(body, [mutation.key], mutation.value);
      else text = JSON.stringify({ [mutation.key]: mutation.value });
      break;
    case "body":
      text = JSON.stringify(mutation.value);
      break;
    case "raw":
      text = mutation.text;
      break;
    case "none":
      break;
  }
  if (text === undefined && body !== undefined) {
    text = JSON.stringify(body);
    if (mutation.kind === "rawField") text = text.replace(JSON.stringify(rawMarker), mutation.text);
  }
  const path = target.path.replace(/\{(\w+)\}/g, (_, name: string) => encode(params[name] ?? ""));
  const search = [...query.map(([k, v]) => `${encode(k)}=${encode(v)}`), ...(rawQuery ? [rawQuery] : [])].join("&");
  // fetch refuses a body on GET; those routes are fuzzed through the path and query.
  return {
    method: target.method,
    path: search ? `${path}?${search}` : path,
    body: target.method === "GET" ? undefined : text,
  };
}

let nextSlot = 0;
/** Starts requests no faster than `requestsPerSecond`, across all routes. */
async function paced<T>(work: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const slot = Math.max(now, nextSlot);
  nextSlot = slot + 1000 / requestsPerSecond;
  if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  return work();
}

async function pool<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

const shorten = (text: string | undefined, max = 300) =>
  text === undefined ? "" : text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

const counts: {
  route: string;
  requests: number;
  statuses: Map<number, number>;
  kinds: Map<string, number>;
  seconds: number;
}[] = [];

describe("fuzzing every route and field: no answer is 500 or above", () => {
  let as: Record<Role, Caller>;
  let fixture: Fixture;
  let schedulesBefore: { name: string; enabled: boolean; cron: string; timezone: string; overridden: boolean }[] = [];
  let stepsBefore: { name: string; enabled: boolean }[] = [];
  let notificationsBefore: unknown = null;

  beforeAll(async () => {
    as = await callers();
    const task = await as.alice.request("POST", "/tasks", {
      name: "reports.task-stats",
      payload: { hours: 1 },
      delaySeconds: thirtyDays,
    });
    if (task.status !== 202)
      throw new Error(`alice could not enqueue a task (${task.status}): ${JSON.stringify(task.body)}`);
    const project = await as.alice.request("POST", "/projects", { name: "fuzz target" });
    const item = await as.alice.request("POST", `/projects/${project.body?.id}/items`, { title: "fuzz target" });
    if (project.status !== 201 || item.status !== 201)
      throw new Error(`alice could not make a project and an item (${project.status}, ${item.status})`);
    fixture = {
      aliceTask: task.body.id,
      aliceMedia: await storedMedia(as.alice, "fuzz-target.txt"),
      aliceProject: project.body.id,
      aliceItem: item.body.item.id,
    };
    notificationsBefore = (await as.carol.request("GET", "/settings/notifications")).body.override ?? null;
    schedulesBefore = (await as.carol.request("GET", "/schedules")).body.items;
    stepsBefore = (await as.carol.request("GET", "/maintenance/steps")).body.items;
  });

  /** Valid fuzzed PATCHes change schedules and steps: put back what was there. */
  afterAll(async () => {
    for (const schedule of schedulesBefore) {
      const { enabled, cron, timezone } = schedule;
      if (schedule.overridden)
        await as.carol.request("PATCH", `/schedules/${schedule.name}`, { enabled, cron, timezone });
      else await as.carol.request("DELETE", `/schedules/${schedule.name}/override`);
    }
    for (const step of stepsBefore)
      await as.carol.request("PATCH", `/maintenance/steps/${step.name}`, { enabled: step.enabled });
    await as.carol.request("PATCH", "/settings/notifications", { async: notificationsBefore });
    const total = counts.reduce((sum, c) => sum + c.requests, 0);
    const lines = counts.map(
      (c) =>
        `  ${c.route}: ${c.requests} requests in ${c.seconds.toFixed(1)}s; ${[...c.statuses]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${s}×${n}`)
          .join(" ")} (what was hostile: ${[...c.kinds].map(([k, n]) => `${k} ${n}`).join(", ")})`,
    );
    console.log([`[fuzz] seed ${seed}: ${total} requests over ${counts.length} routes`, ...lines].join("\n"));
  });

  targets.forEach((target, index) => {
    const runs = Math.max(1, Math.round(((target.runs ?? defaultRuns) * defaultRuns) / 150));
    it(`${target.route}: ${runs} fuzzed requests`, async () => {
      const started = Date.now();
      const samples = fc.sample(fc.tuple(roleArbitrary, mutations(target), forgedToken), {
        seed: seed + index,
        numRuns: runs,
      });
      const answers = await pool(samples, concurrency, async ([role, mutation, forged]) => {
        const request = build(target, role, mutation, fixture);
        const token = role === "forged" ? forged : as[role].token;
        try {
          const answer = await paced(() => send(token, request.method, request.path, request.body));
          return { role, request, status: answer.status, body: answer.body as unknown };
        } catch (error) {
          // No HTTP answer at all (the connection dropped): counted as 0 and reported with the 5xx.
          return { role, request, status: 0, body: String(error) };
        }
      });
      const statuses = new Map<number, number>();
      for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      const kinds = new Map<string, number>();
      for (const [, mutation] of samples) kinds.set(mutation.kind, (kinds.get(mutation.kind) ?? 0) + 1);
      counts.push({
        route: target.route,
        requests: answers.length,
        statuses,
        kinds,
        seconds: (Date.now() - started) / 1000,
      });
      const failures = answers
        .filter((a) => a.status >= 500 || a.status === 0)
        .map(
          (a) =>
            `${a.status} as ${a.role}: ${a.request.method} ${shorten(a.request.path, 200)} body ${shorten(a.request.body)} → ${shorten(JSON.stringify(a.body))}`,
        );
      // A token the stack never signed (alg "none" claiming admin among them) is never let in.
      const forgedLetIn = answers.filter(
        (a) => a.role === "forged" && target.route !== "GET /health" && a.status < 400,
      );
      expect(failures, `seed ${seed + index}`).toEqual([]);
      expect(
        forgedLetIn.map((a) => `${a.status}: ${a.request.method} ${shorten(a.request.path, 200)}`),
        `seed ${seed + index}`,
      ).toEqual([]);
    });
  });
});
