import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localToken } from "../../localstack/token.js";
import { outputs } from "./outputs.js";
import { type Answer, type Caller, callers, type Role, roles, send, storedMedia } from "./callers.js";

/**
 * The authorization contract of issue 11 as a table: every route × {anonymous, alice (a user),
 * bob (another user), carol (an admin)} → the status the contract promises. Objects are alice's,
 * so bob's column shows what another user sees of them. Requests with side effects are chosen to
 * be safe to repeat: tasks are delayed 30 days, each delete and cancel has its own object, the
 * schedule and step changes set what is already there.
 */

/** Objects alice owns, made fresh for every run. */
interface Fixture {
  aliceTask: string;
  taskForAliceToCancel: string;
  taskForCarolToCancel: string;
  aliceMedia: string;
  mediaForAliceToDelete: string;
  mediaForCarolToDelete: string;
  /** alice's project (no subscribers, so the matrix sends no email) and an item in it. */
  aliceProject: string;
  aliceItem: string;
  /** The notifications switch's override before the run, which the PATCH row sets again. */
  notificationsOverride: unknown;
}

interface Request {
  method: string;
  path: string;
  body?: unknown;
}

type Expected = number | readonly number[];

interface Row {
  route: string;
  request: (role: Role, f: Fixture) => Request;
  expected: Record<Role, Expected>;
  /** More than the status: what the answer shows (or that nothing was changed). */
  check?: (role: Role, answer: Answer, f: Fixture, as: Record<Role, Caller>) => Promise<void> | void;
}

const thirtyDays = 30 * 86_400;
const adminOnly = (admin: Expected): Record<Role, Expected> => ({ anonymous: 401, alice: 403, bob: 403, carol: admin });
const anyUser = (status: Expected): Record<Role, Expected> => ({
  anonymous: 401,
  alice: status,
  bob: status,
  carol: status,
});
/** alice's object: hers and an admin's to see; another user is told it does not exist. */
const ownedByAlice = (status: Expected): Record<Role, Expected> => ({
  anonymous: 401,
  alice: status,
  bob: 404,
  carol: status,
});

const enqueue = (name: string, payload: unknown, role: Role) => ({
  method: "POST",
  path: "/tasks",
  // A per-caller key makes the row repeatable: the second run is a duplicate, still 202.
  body: { name, payload, delaySeconds: thirtyDays, idempotencyKey: `authz-matrix:${name}:${role}` },
});

/** POST /tasks/batch with per-caller keys, repeatable like `enqueue`. */
const enqueueBatch = (items: [string, unknown][], role: Role) => ({
  method: "POST",
  path: "/tasks/batch",
  body: {
    tasks: items.map(([name, payload], i) => ({
      name,
      payload,
      delaySeconds: thirtyDays,
      idempotencyKey: `authz-matrix-batch:${name}:${i}:${items.length}:${role}`,
    })),
  },
});

/** A 429 is the stage's throttle after a busy test file, not an answer about authorization: wait and ask again. */
async function unthrottled(call: () => Promise<Answer>): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    const answer = await call();
    if (answer.status !== 429 || attempt === 5) return answer;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

const ids = (answer: Answer, list: "items" | "tasks") =>
  ((answer.body?.[list] ?? []) as { id: string }[]).map((item) => item.id);

/** Names that exist on Object.prototype: an own-property lookup must treat them as unknown. */
const prototypeNames = ["__proto__", "constructor", "toString"] as const;

const rows: Row[] = [
  {
    route: "GET /health",
    request: () => ({ method: "GET", path: "/health" }),
    expected: { anonymous: 200, alice: 200, bob: 200, carol: 200 },
  },

  // Tasks: who may enqueue what comes from each task definition's `access`.
  {
    route: 'POST /tasks (access "user": reports.task-stats)',
    request: (role) => enqueue("reports.task-stats", { hours: 1 }, role),
    expected: anyUser(202),
  },
  {
    route: 'POST /tasks (access "admin": diagnostics.echo)',
    request: (role) => enqueue("diagnostics.echo", { message: "authorization matrix" }, role),
    expected: adminOnly(202),
  },
  {
    route: 'POST /tasks (access "internal": housekeeping.expire-idempotency-keys)',
    request: (role) => enqueue("housekeeping.expire-idempotency-keys", { olderThanHours: 24 }, role),
    expected: adminOnly(403),
  },
  {
    route: 'POST /tasks (access "internal": reports.daily-digest)',
    request: (role) => enqueue("reports.daily-digest", { hours: 24 }, role),
    expected: adminOnly(403),
  },
  {
    route: "POST /tasks (unknown task name)",
    request: (role) => enqueue("no-such.task", {}, role),
    expected: anyUser(400),
  },
  {
    route: 'POST /tasks/batch (access "user": reports.task-stats ×2)',
    request: (role) =>
      enqueueBatch(
        [
          ["reports.task-stats", { hours: 1 }],
          ["reports.task-stats", { hours: 2 }],
        ],
        role,
      ),
    expected: anyUser(202),
    check: (role, answer) => {
      if (role !== "anonymous")
        expect((answer.body?.tasks as unknown[] | undefined)?.length, "one answer per item, in order").toBe(2);
    },
  },
  {
    // One admin-only item refuses the whole batch for a user; nothing of it is stored.
    route: 'POST /tasks/batch (a "user" task and an "admin" one)',
    request: (role) =>
      enqueueBatch(
        [
          ["reports.task-stats", { hours: 3 }],
          ["diagnostics.echo", { message: "authorization matrix" }],
        ],
        role,
      ),
    expected: adminOnly(202),
  },
  {
    route: 'POST /tasks/batch (access "internal": reports.daily-digest)',
    request: (role) => enqueueBatch([["reports.daily-digest", { hours: 24 }]], role),
    expected: adminOnly(403),
  },
  {
    route: "GET /tasks (list)",
    request: () => ({ method: "GET", path: "/tasks?name=reports.task-stats&limit=200" }),
    expected: anyUser(200),
    check: (role, answer, f) => {
      const tasks = (answer.body?.items ?? []) as { id: string; createdBy: string | null }[];
      if (role === "carol") expect(ids(answer, "items"), "an admin lists every user's tasks").toContain(f.aliceTask);
      if (role === "alice") expect(ids(answer, "items"), "a user lists her own tasks").toContain(f.aliceTask);
      if (role === "alice" || role === "bob")
        expect(
          tasks.filter((t) => t.createdBy !== role),
          "a user lists only her own tasks",
        ).toEqual([]);
    },
  },
  {
    route: "GET /tasks/{id} (alice's task)",
    request: (_, f) => ({ method: "GET", path: `/tasks/${f.aliceTask}` }),
    expected: ownedByAlice(200),
  },
  {
    route: "POST /tasks/{id}/cancel (alice's scheduled task)",
    request: (role, f) => ({
      method: "POST",
      path: `/tasks/${role === "alice" ? f.taskForAliceToCancel : role === "carol" ? f.taskForCarolToCancel : f.aliceTask}/cancel`,
    }),
    expected: ownedByAlice(200),
    check: async (role, _answer, f, as) => {
      if (role === "bob")
        expect(
          (await as.alice.request("GET", `/tasks/${f.aliceTask}`)).body?.status,
          "bob's cancel left alice's task alone",
        ).toBe("scheduled");
    },
  },

  {
    // Retrying needs a failed task; alice's is scheduled, so her and the admin's answer is 409 (the
    // unit tests retry a failed one). Bob learns nothing: 404.
    route: "POST /tasks/{id}/retry (alice's scheduled task)",
    request: (_, f) => ({ method: "POST", path: `/tasks/${f.aliceTask}/retry` }),
    expected: { anonymous: 401, alice: 409, bob: 404, carol: 409 },
  },

  // Operations: admins only.
  { route: "GET /queues", request: () => ({ method: "GET", path: "/queues" }), expected: adminOnly(200) },
  // 202: redrive queues the tasks again; they run later.
  {
    route: "POST /queues/{name}/redrive (reports)",
    request: () => ({ method: "POST", path: "/queues/reports/redrive" }),
    expected: adminOnly(202),
  },
  { route: "GET /schedules", request: () => ({ method: "GET", path: "/schedules" }), expected: adminOnly(200) },
  {
    route: "PATCH /schedules/{name} (reports.daily-digest, enabled as it is)",
    request: () => ({ method: "PATCH", path: "/schedules/reports.daily-digest", body: { enabled: true } }),
    expected: adminOnly(200),
  },
  {
    route: "PATCH /schedules/{name} (a cron with seconds)",
    request: () => ({ method: "PATCH", path: "/schedules/reports.daily-digest", body: { cron: "* * * * * *" } }),
    expected: adminOnly(400),
  },
  {
    route: "DELETE /schedules/{name}/override (reports.daily-digest)",
    request: () => ({ method: "DELETE", path: "/schedules/reports.daily-digest/override" }),
    expected: adminOnly(200),
  },
  {
    route: "POST /schedules/{name}/run (diagnostics.heartbeat)",
    request: () => ({ method: "POST", path: "/schedules/diagnostics.heartbeat/run" }),
    expected: adminOnly(202),
  },
  {
    route: "GET /maintenance/steps",
    request: () => ({ method: "GET", path: "/maintenance/steps" }),
    expected: adminOnly(200),
  },
  {
    route: "PATCH /maintenance/steps/{name} (purge-old-events, enabled as it is)",
    request: () => ({ method: "PATCH", path: "/maintenance/steps/purge-old-events", body: { enabled: true } }),
    expected: adminOnly(200),
  },
  // 409 when a run (this one's previous repetition, or the daily one) is still going.
  {
    route: "POST /maintenance/runs",
    request: () => ({ method: "POST", path: "/maintenance/runs", body: {} }),
    expected: adminOnly([202, 409]),
  },
  { route: "GET /events", request: () => ({ method: "GET", path: "/events?limit=5" }), expected: adminOnly(200) },

  // Unknown names in paths: own-property lookups, so Object.prototype's names are unknown too.
  ...prototypeNames.flatMap((name): Row[] => [
    {
      route: `POST /queues/${name}/redrive`,
      request: () => ({ method: "POST", path: `/queues/${name}/redrive` }),
      expected: adminOnly(404),
    },
    {
      route: `PATCH /schedules/${name}`,
      request: () => ({ method: "PATCH", path: `/schedules/${name}`, body: { enabled: true } }),
      expected: adminOnly(404),
    },
    {
      route: `DELETE /schedules/${name}/override`,
      request: () => ({ method: "DELETE", path: `/schedules/${name}/override` }),
      expected: adminOnly(404),
    },
    {
      route: `POST /schedules/${name}/run`,
      request: () => ({ method: "POST", path: `/schedules/${name}/run` }),
      expected: adminOnly(404),
    },
    {
      route: `PATCH /maintenance/steps/${name}`,
      request: () => ({ method: "PATCH", path: `/maintenance/steps/${name}`, body: { enabled: true } }),
      expected: adminOnly(404),
    },
  ]),

  // Media: everyone their own; /admin/media for admins.
  {
    route: "GET /media (the caller's own files)",
    request: () => ({ method: "GET", path: "/media?limit=500" }),
    expected: anyUser(200),
    check: (role, answer, f) => {
      if (role === "alice") expect(ids(answer, "items"), "alice lists her file").toContain(f.aliceMedia);
      else expect(ids(answer, "items"), `${role} does not list alice's file`).not.toContain(f.aliceMedia);
    },
  },
  {
    route: "GET /admin/media (every user's files)",
    request: () => ({ method: "GET", path: "/admin/media?owner=alice&limit=500" }),
    expected: adminOnly(200),
    check: (role, answer, f) => {
      if (role === "carol") expect(ids(answer, "items"), "an admin lists alice's file").toContain(f.aliceMedia);
    },
  },
  {
    route: "POST /media/uploads",
    request: () => ({
      method: "POST",
      path: "/media/uploads",
      body: { filename: "matrix.txt", contentType: "text/plain", size: 10 },
    }),
    expected: anyUser(201),
  },
  {
    route: "GET /media/{id} (alice's file)",
    request: (_, f) => ({ method: "GET", path: `/media/${f.aliceMedia}` }),
    expected: ownedByAlice(200),
  },
  {
    route: "GET /media/{id}?redirect=1 (alice's file)",
    request: (_, f) => ({ method: "GET", path: `/media/${f.aliceMedia}?redirect=1` }),
    expected: ownedByAlice(302),
  },
  {
    route: "GET /media/{id}/info (alice's file)",
    request: (_, f) => ({ method: "GET", path: `/media/${f.aliceMedia}/info` }),
    expected: ownedByAlice(200),
  },
  {
    route: "DELETE /media/{id} (alice's file)",
    request: (role, f) => ({
      method: "DELETE",
      path: `/media/${role === "alice" ? f.mediaForAliceToDelete : role === "carol" ? f.mediaForCarolToDelete : f.aliceMedia}`,
    }),
    expected: ownedByAlice([200, 204]),
    check: async (role, _answer, f, as) => {
      if (role === "bob")
        expect(
          (await as.alice.request("GET", `/media/${f.aliceMedia}/info`)).status,
          "bob's delete left alice's file alone",
        ).toBe(200);
      if (role === "alice")
        expect(
          (await as.alice.request("GET", `/media/${f.mediaForAliceToDelete}/info`)).status,
          "alice's file is gone",
        ).toBe(404);
    },
  },

  // Projects: membership decides; someone else's project is "not found", never "forbidden".
  {
    route: "POST /projects",
    request: () => ({ method: "POST", path: "/projects", body: { name: "authorization matrix" } }),
    expected: anyUser(201),
  },
  {
    route: "GET /projects (the caller's own projects)",
    request: () => ({ method: "GET", path: "/projects" }),
    expected: anyUser(200),
    check: (role, answer, f) => {
      const listed = ((answer.body?.items ?? []) as { id: string }[]).map((p) => p.id);
      if (role === "alice" || role === "carol")
        expect(listed, `${role} lists alice's project`).toContain(f.aliceProject);
      if (role === "bob") expect(listed, "bob does not list alice's project").not.toContain(f.aliceProject);
    },
  },
  {
    route: "GET /projects/{id} (alice's project)",
    request: (_, f) => ({ method: "GET", path: `/projects/${f.aliceProject}` }),
    expected: ownedByAlice(200),
  },
  {
    route: "POST /projects/{id}/members (alice's project)",
    request: (_, f) => ({ method: "POST", path: `/projects/${f.aliceProject}/members`, body: { userId: "dave" } }),
    expected: ownedByAlice(201),
    check: async (role, _answer, f, as) => {
      if (role === "bob")
        expect((await as.bob.request("GET", `/projects/${f.aliceProject}`)).status, "bob is still no member").toBe(404);
    },
  },
  {
    route: "POST /projects/{id}/items (alice's project)",
    request: (_, f) => ({ method: "POST", path: `/projects/${f.aliceProject}/items`, body: { title: "matrix" } }),
    expected: ownedByAlice(201),
  },
  {
    route: "PATCH /projects/{id}/items/{itemId} (alice's item)",
    request: (_, f) => ({
      method: "PATCH",
      path: `/projects/${f.aliceProject}/items/${f.aliceItem}`,
      body: { body: "matrix" },
    }),
    expected: ownedByAlice(200),
  },
  {
    route: "GET /settings/notifications",
    request: () => ({ method: "GET", path: "/settings/notifications" }),
    expected: adminOnly(200),
  },
  {
    route: "PATCH /settings/notifications (the override as it is)",
    request: (_, f) => ({ method: "PATCH", path: "/settings/notifications", body: { async: f.notificationsOverride } }),
    expected: adminOnly(200),
  },
];

const cases = rows.flatMap((row) =>
  roles.map((role) => ({ name: `${row.route} · ${role} → ${[row.expected[role]].flat().join(" or ")}`, row, role })),
);

/** What each cell answered, printed as the matrix at the end. */
const got = new Map<string, Partial<Record<Role, number>>>();

describe("authorization matrix: every route × anonymous, alice, bob (another user), carol (admin)", () => {
  let as: Record<Role, Caller>;
  let fixture: Fixture;

  beforeAll(async () => {
    as = await callers();
    const aliceEnqueues = async () => {
      const answer = await as.alice.request("POST", "/tasks", {
        name: "reports.task-stats",
        payload: { hours: 1 },
        delaySeconds: thirtyDays,
      });
      if (answer.status !== 202)
        throw new Error(
          `alice could not enqueue reports.task-stats (${answer.status}): ${JSON.stringify(answer.body)}`,
        );
      return answer.body.id as string;
    };
    const [aliceTask, taskForAliceToCancel, taskForCarolToCancel] = [
      await aliceEnqueues(),
      await aliceEnqueues(),
      await aliceEnqueues(),
    ];
    const [aliceMedia, mediaForAliceToDelete, mediaForCarolToDelete] = await Promise.all([
      storedMedia(as.alice, "kept.txt"),
      storedMedia(as.alice, "deleted-by-alice.txt"),
      storedMedia(as.alice, "deleted-by-carol.txt"),
    ]);
    const project = await as.alice.request("POST", "/projects", { name: "authorization matrix" });
    const item = await as.alice.request("POST", `/projects/${project.body?.id}/items`, { title: "matrix" });
    if (project.status !== 201 || item.status !== 201)
      throw new Error(`alice could not make a project and an item (${project.status}, ${item.status})`);
    const settings = await as.carol.request("GET", "/settings/notifications");
    fixture = {
      aliceTask,
      taskForAliceToCancel,
      taskForCarolToCancel,
      aliceMedia,
      mediaForAliceToDelete,
      mediaForCarolToDelete,
      aliceProject: project.body.id as string,
      aliceItem: item.body.item.id as string,
      notificationsOverride: settings.body?.override ?? null,
    };
  });

  // A loop rather than it.each: it.each would cut these names at 40 characters.
  for (const { name, row, role } of cases)
    it(name, async () => {
      const request = row.request(role, fixture);
      const answer = await unthrottled(() => as[role].request(request.method, request.path, request.body));
      got.set(row.route, { ...got.get(row.route), [role]: answer.status });
      const expected = [row.expected[role]].flat();
      expect(
        expected,
        `${request.method} ${request.path} as ${role} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 400)}`,
      ).toContain(answer.status);
      await row.check?.(role, answer, fixture, as);
    });

  it("treats a garbage token, a token signed for ten years, a subject with NUL, and no token alike: 401, before looking at the body", async () => {
    const tenYears = await localToken({ sub: "alice", ttlSeconds: 10 * 365 * 86_400 }, outputs());
    const poisonedSubject = await localToken({ sub: "alice\u0000", ttlSeconds: 900 }, outputs());
    const answers = await Promise.all([
      send("not-a-token", "GET", "/tasks"),
      send(tenYears, "GET", "/tasks"),
      send(poisonedSubject, "GET", "/tasks"),
      send(undefined, "POST", "/tasks", "{not json"),
      send(undefined, "PATCH", "/schedules/__proto__", { cron: "\u0000" }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
  });

  it("scopes idempotency keys per caller: bob's request with alice's key is his own new task", async () => {
    const key = `authz-shared-key-${Date.now()}`;
    const body = { name: "reports.task-stats", payload: { hours: 1 }, delaySeconds: thirtyDays, idempotencyKey: key };
    const alice = await as.alice.request("POST", "/tasks", body);
    const bob = await as.bob.request("POST", "/tasks", body);
    expect([alice.status, bob.status]).toEqual([202, 202]);
    expect(bob.body).toMatchObject({ duplicate: false });
    expect(bob.body.id).not.toBe(alice.body.id);
    expect((await as.bob.request("GET", `/tasks/${alice.body.id}`)).status).toBe(404);
  });

  afterAll(() => {
    const cell = (route: string, role: Role) => {
      const row = rows.find((r) => r.route === route) as Row;
      const status = got.get(route)?.[role];
      const ok = status !== undefined && [row.expected[role]].flat().includes(status);
      return `${status ?? "—"}${ok ? "" : ` ✗ (want ${[row.expected[role]].flat().join("/")})`}`;
    };
    const lines = rows.map((row) => `| ${row.route} | ${roles.map((role) => cell(row.route, role)).join(" | ")} |`);
    console.log(
      [
        "[authorization matrix]",
        `| route | ${roles.join(" | ")} |`,
        `| --- | ${roles.map(() => "---").join(" | ")} |`,
        ...lines,
      ].join("\n"),
    );
  });
});
