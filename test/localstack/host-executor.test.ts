import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../localstack/env.js";
import { freePort } from "../../localstack/free-port.js";

// The runtimes of LocalStack's host executor (localstack/host-executor), driven the way LocalStack
// drives them: a stand-in for its executor endpoint records what a runtime reports, and invokes are
// POSTed to the runtime's /invoke as LocalStack's ExecutorEndpoint.invoke does.

interface Report {
  path: string;
  body: string;
}

const executorId = "0123456789abcdef0123456789abcdef";
const taskRoot = mkdtempSync(join(tmpdir(), "groundcrew-host-executor-"));
let gateway: Server;
let gatewayPort = 0;
let reports: Report[] = [];
const waiters: (() => void)[] = [];
const running: ChildProcess[] = [];

beforeAll(async () => {
  gateway = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      reports.push({ path: `${request.method} ${request.url}`, body });
      response.writeHead(202).end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
  gatewayPort = (gateway.address() as AddressInfo).port;

  // A CommonJS bundle in the shape CDK's NodejsFunction writes, and a Python module like CDK's custom resources.
  mkdirSync(join(taskRoot, "node"));
  writeFileSync(join(taskRoot, "node", "package.json"), "{}\n");
  writeFileSync(
    join(taskRoot, "node", "index.js"),
    `"use strict";
const https = require("https");
exports.handler = async (event, context) => {
  console.log("handling", JSON.stringify(event));
  if (event.fail) { const error = new Error("the database is resuming"); error.name = "DatabaseResumingException"; throw error; }
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  if (event.cfnAnswer) {
    // What CDK's custom-resource entrypoint does with the ResponseURL: hostname and path only.
    await new Promise((resolve, reject) => {
      const request = https.request({ hostname: "127.0.0.1", path: "/_groundcrew/cfn-response/token-1", method: "PUT" }, (r) => { r.resume(); resolve(); });
      request.on("error", reject);
      request.end(JSON.stringify({ Status: "SUCCESS" }));
    });
  }
  return { requestId: context.awsRequestId, endpoint: process.env.AWS_ENDPOINT_URL, remaining: context.getRemainingTimeInMillis() > 0 };
};
`,
  );
  mkdirSync(join(taskRoot, "python"));
  writeFileSync(
    join(taskRoot, "python", "index.py"),
    `def handler(event, context):
    print("handling", event)
    if event.get("fail"):
        raise KeyError("BucketName")
    return {"requestId": context.aws_request_id, "echo": event}
`,
  );
});

afterEach(() => {
  for (const child of running.splice(0)) child.kill("SIGKILL");
  reports = [];
});

afterAll(async () => {
  await new Promise((resolve) => gateway.close(resolve));
  rmSync(taskRoot, { recursive: true, force: true });
});

/** Starts a runtime as executor.py does: the function's environment plus the port to listen on. */
async function startRuntime(kind: "node" | "python", handler: string, timeoutSeconds = 3): Promise<number> {
  const port = await freePort();
  const script = join(
    repoRoot,
    "localstack",
    "host-executor",
    kind === "node" ? "node-runtime.mjs" : "python-runtime.py",
  );
  const command = kind === "node" ? process.execPath : "python3";
  const child = spawn(command, [script], {
    cwd: join(taskRoot, kind),
    env: {
      PATH: process.env.PATH,
      LAMBDA_TASK_ROOT: join(taskRoot, kind),
      _HANDLER: handler,
      LOCALSTACK_RUNTIME_ID: executorId,
      LOCALSTACK_RUNTIME_ENDPOINT: `http://127.0.0.1:${gatewayPort}/_localstack_lambda/${executorId}`,
      GROUNDCREW_RUNTIME_PORT: String(port),
      EDGE_PORT: String(gatewayPort),
      AWS_ENDPOINT_URL: `http://127.0.0.1:${gatewayPort}`,
      AWS_LAMBDA_FUNCTION_TIMEOUT: String(timeoutSeconds),
      AWS_LAMBDA_FUNCTION_NAME: "fn",
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  return port;
}

async function reported(path: string, deadlineMs = 10_000): Promise<Report> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const found = reports.find((report) => report.path === path);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${path} within ${deadlineMs} ms; got ${JSON.stringify(reports)}`);
    await new Promise<void>((resolve) => {
      waiters.push(resolve);
      setTimeout(resolve, 200);
    });
  }
}

async function invoke(port: number, requestId: string, payload: unknown): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/invoke`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      "invoke-id": requestId,
      "invoked-function-arn": "arn:aws:lambda:us-east-1:000000000000:function:fn",
      payload: JSON.stringify(payload),
      "trace-id": "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0",
    }),
  });
  expect(response.status).toBe(200);
}

const prefix = `/_localstack_lambda/${executorId}`;

describe.each(["node", "python"] as const)("the %s runtime", (kind) => {
  it("reports ready, then the captured logs and the handler's result", async () => {
    const port = await startRuntime(kind, "index.handler");
    await reported(`POST ${prefix}/status/${executorId}/ready`);
    await invoke(port, "req-1", { n: 1 });
    const response = await reported(`POST ${prefix}/invocations/req-1/response`);
    expect(JSON.parse(response.body)).toMatchObject({ requestId: "req-1" });
    const logs = await reported(`POST ${prefix}/invocations/req-1/logs`);
    expect((JSON.parse(logs.body) as { logs: string }).logs).toContain("handling");
    // Logs arrive before the outcome: LocalStack attaches the logs it has when the outcome lands.
    const order = reports.map((report) => report.path);
    expect(order.indexOf(`POST ${prefix}/invocations/req-1/logs`)).toBeLessThan(
      order.indexOf(`POST ${prefix}/invocations/req-1/response`),
    );
  });

  it("reports a thrown error with its name as errorType, and stays up for the next invoke", async () => {
    const port = await startRuntime(kind, "index.handler");
    await reported(`POST ${prefix}/status/${executorId}/ready`);
    await invoke(port, "req-2", { fail: true });
    const error = JSON.parse((await reported(`POST ${prefix}/invocations/req-2/error`)).body) as Record<string, string>;
    expect(error.errorType).toBe(kind === "node" ? "DatabaseResumingException" : "KeyError");
    await invoke(port, "req-3", {});
    await reported(`POST ${prefix}/invocations/req-3/response`);
  });

  it("reports a handler that cannot be loaded as a startup error", async () => {
    await startRuntime(kind, "index.missing");
    const error = JSON.parse((await reported(`POST ${prefix}/status/${executorId}/error`)).body) as Record<
      string,
      string
    >;
    expect(error.errorMessage).toContain("missing");
    expect(reports.some((report) => report.path.endsWith("/ready"))).toBe(false);
  });
});

describe("the node runtime", () => {
  it("ends an invoke that outlives the function's timeout with Sandbox.Timedout", async () => {
    const port = await startRuntime("node", "index.handler", 1);
    await reported(`POST ${prefix}/status/${executorId}/ready`);
    await invoke(port, "req-4", { sleepMs: 5000 });
    const error = JSON.parse((await reported(`POST ${prefix}/invocations/req-4/error`, 4000)).body) as Record<
      string,
      string
    >;
    expect(error.errorType).toBe("Sandbox.Timedout");
  });

  it("sends CDK's custom-resource answer (https, no port) to the gateway over http", async () => {
    const port = await startRuntime("node", "index.handler");
    await reported(`POST ${prefix}/status/${executorId}/ready`);
    await invoke(port, "req-5", { cfnAnswer: true });
    const answer = await reported("PUT /_groundcrew/cfn-response/token-1");
    expect(JSON.parse(answer.body)).toEqual({ Status: "SUCCESS" });
    await reported(`POST ${prefix}/invocations/req-5/response`);
  });
});
