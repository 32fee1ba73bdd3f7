import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLogStream, type LogStream } from "../../localstack/log-stream.js";
import { stackProcesses } from "../../localstack/supervisor.js";
import { api } from "./outputs.js";
import { asUser, eventually } from "./session.js";

/** What `npm start` shows: every function's lines in one stream, each named by its function. */
describe("one log stream for every function", () => {
  const readable: string[] = [];
  const raw: string[] = [];
  let streams: LogStream[] = [];

  beforeAll(() => {
    const collect = (into: string[]) => (text: string) => into.push(...text.split("\n"));
    streams = [
      startLogStream({
        processes: stackProcesses(),
        write: collect(readable),
        format: { color: false, json: false },
        pollMs: 500,
      }),
      startLogStream({ processes: [], write: collect(raw), format: { color: false, json: true }, pollMs: 500 }),
    ];
  });
  afterAll(async () => {
    await Promise.all(streams.map((stream) => stream.close()));
  });

  const line = (lines: string[], pattern: RegExp) => async () => lines.find((candidate) => pattern.test(candidate));

  it("shows an API request's access line under the name api, readable, and its raw JSON on demand", async () => {
    // API Gateway invocations are the ones ministack never echoes into its own log: only CloudWatch Logs has them.
    const path = `/logs-probe-${randomUUID()}`;
    expect((await api(path)).status).toBe(404);
    const shown = await eventually(
      "the access line in the stream",
      line(readable, new RegExp(`^api +\\| \\S+ INFO +request method=GET path=${path} status=404 `)),
      30_000,
    );
    expect(shown).toMatch(/requestId=/);
    const json = await eventually(
      "the raw access line",
      line(raw, new RegExp(`^api +\\| \\{.*"path":"${path}"`)),
      30_000,
    );
    expect(JSON.parse(json.slice(json.indexOf("{")))).toMatchObject({ level: "INFO", message: "request", status: 404 });
  });

  it("shows a worker task's log line under the name of its queue's worker", async () => {
    const operator = await asUser("olga", { admin: true });
    const enqueued = await operator.post("/tasks", { name: "diagnostics.echo", payload: { message: "logs-probe" } });
    expect(enqueued.status).toBe(202);
    const id = (enqueued.body as { id: string }).id;
    await eventually(
      "the worker's line in the stream",
      line(readable, new RegExp(`^worker-default +\\| .*Task succeeded .*taskId=${id}`)),
      60_000,
    );
    // One copy only: the emulator's own echo of the worker's output is left out.
    expect(readable.filter((candidate) => candidate.includes(id) && candidate.includes("Task succeeded"))).toHaveLength(
      1,
    );
  });
});
