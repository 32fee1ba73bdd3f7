import { build } from "esbuild";
import { join } from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import { ApiProblem, createApiClient, fillPath } from "../../../../functions/contracts/api/client.js";
import { apiPaths } from "../../../../functions/contracts/api/paths.js";
import type { Task } from "../../../../functions/contracts/api/tasks.js";
import { repoRoot } from "../../../../infra/paths.js";

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fetch that records what it was asked and answers as told. */
function fakeFetch(answer: { status: number; type?: string; body?: string; statusText?: string }) {
  const sent: Sent[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    sent.push({
      url,
      method: init.method ?? "GET",
      headers: init.headers as Record<string, string>,
      body: init.body as string | undefined,
    });
    return new Response(answer.body ?? null, {
      status: answer.status,
      statusText: answer.statusText,
      headers: answer.type ? { "content-type": answer.type } : {},
    });
  }) as typeof globalThis.fetch;
  return { fetch, sent };
}

const task: Task = {
  id: "7b0e9d1c-8f0a-4c55-9d59-5a0f8d7f9d11",
  name: "diagnostics.echo",
  queue: "default",
  status: "queued",
  attempts: 0,
  maxAttempts: 3,
  progress: null,
  progressNote: null,
  payload: {},
  result: null,
  error: null,
  createdBy: "alice",
  runAt: null,
  createdAt: "2026-11-22T10:00:00.000Z",
  updatedAt: "2026-11-22T10:00:00.000Z",
  startedAt: null,
  finishedAt: null,
  deadLetteredAt: null,
};

describe("the typed API client", () => {
  it("has one method per route of the contract", () => {
    const client = createApiClient({ baseUrl: "http://api" });
    expect(Object.keys(client).sort()).toEqual(Object.keys(apiPaths).sort());
  });

  it("fills the path, the query and the body, with the bearer token", async () => {
    const { fetch, sent } = fakeFetch({ status: 200, type: "application/json", body: JSON.stringify(task) });
    const client = createApiClient({ baseUrl: "http://api/stage/", token: "t0k", fetch });
    expect(await client.getTask({ params: { id: task.id } })).toEqual(task);
    await client.listTasks({ query: { status: "failed", limit: 20, cursor: undefined } });
    await client.updateSchedule({ params: { name: "a b/c" }, body: { enabled: false } });
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      `GET http://api/stage/tasks/${task.id}`,
      "GET http://api/stage/tasks?status=failed&limit=20",
      "PATCH http://api/stage/schedules/a%20b%2Fc",
    ]);
    expect(sent[0]?.headers.authorization).toBe("Bearer t0k");
    expect(sent[0]?.body).toBeUndefined();
    expect(sent[2]?.headers["content-type"]).toBe("application/json");
    expect(sent[2]?.body).toBe('{"enabled":false}');
  });

  it("asks a token function for the current token on every call, and sends none without one", async () => {
    const { fetch, sent } = fakeFetch({ status: 200, type: "application/json", body: "{}" });
    let token: string | undefined = "first";
    const client = createApiClient({ baseUrl: "/api", token: async () => token, fetch });
    await client.health();
    token = undefined;
    await client.health();
    expect(sent.map((s) => s.headers.authorization)).toEqual(["Bearer first", undefined]);
    expect(sent[0]?.url).toBe("/api/health");
  });

  it("throws ApiProblem with the problem details of an error answer", async () => {
    const problem = {
      type: "urn:groundcrew:problem:validation",
      title: "Invalid request",
      status: 400,
      detail: "body.cron: not a cron expression",
      errors: [{ path: "body.cron", message: "not a cron expression" }],
    };
    const { fetch } = fakeFetch({ status: 400, type: "application/problem+json", body: JSON.stringify(problem) });
    const client = createApiClient({ baseUrl: "http://api", fetch });
    const error = await client.updateSchedule({ params: { name: "x" }, body: { cron: "nope" } }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiProblem);
    expect(error).toMatchObject({ status: 400, problem });
    expect((error as ApiProblem).errors).toEqual(problem.errors);
    expect((error as Error).message).toBe("400 Invalid request: body.cron: not a cron expression");
  });

  it("makes a problem from an error answer that carries none (a proxy, the gateway)", async () => {
    const { fetch } = fakeFetch({ status: 502, statusText: "Bad Gateway", type: "text/plain", body: "upstream down" });
    const error = await createApiClient({ baseUrl: "http://api", fetch })
      .health()
      .catch((e) => e);
    expect(error).toBeInstanceOf(ApiProblem);
    expect((error as ApiProblem).problem).toEqual({
      type: "about:blank",
      title: "Bad Gateway",
      status: 502,
      detail: "upstream down",
    });
  });

  it("resolves to undefined for an answer without a body (204)", async () => {
    const { fetch } = fakeFetch({ status: 204 });
    const client = createApiClient({ baseUrl: "http://api", fetch });
    expect(await client.deleteMedia({ params: { id: task.id } })).toBeUndefined();
  });

  it("refuses to call a path whose parameter is missing", () => {
    expect(() => fillPath("/tasks/{id}", {})).toThrow("/tasks/{id} needs params.id");
  });

  it("infers each method's input and output from the schemas", () => {
    const client = createApiClient({ baseUrl: "http://api" });
    expectTypeOf(client.getTask).parameter(0).toEqualTypeOf<
      { params: { id: string } } & { query?: never } & {
        body?: never;
      }
    >();
    expectTypeOf(client.listTasks).returns.resolves.toEqualTypeOf<{ items: Task[]; nextCursor: string | null }>();
    expectTypeOf(client.deleteMedia).returns.resolves.toBeUndefined();
    expectTypeOf(client.listQueues).toBeCallableWith();
    // Checked by the compiler only: never called.
    const wrongCalls = () => [
      // @ts-expect-error: a task id is required.
      client.getTask({}),
      // @ts-expect-error: an unknown status is refused by the compiler too.
      client.listTasks({ query: { status: "lost" } }),
    ];
    expect(typeof wrongCalls).toBe("function");
  });

  it("reaches a browser without zod, the schemas or anything Node-only", async () => {
    const result = await build({
      entryPoints: [join(repoRoot, "functions/contracts/api/client.ts")],
      bundle: true,
      write: false,
      metafile: true,
      platform: "browser",
      format: "esm",
      minify: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.sort()).toEqual([
      "functions/contracts/api/api-problem.ts",
      "functions/contracts/api/client.ts",
      "functions/contracts/api/paths.ts",
    ]);
    expect(result.outputFiles[0]!.contents.byteLength).toBeLessThan(6_000);
  });
});
