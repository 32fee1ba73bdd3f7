#!/usr/bin/env node
// One Lambda execution environment for LocalStack's host executor (groundcrew_host_executor): loads
// the Node handler from LAMBDA_TASK_ROOT and speaks the exchange LocalStack expects from
// lambda-runtime-init (see executor.py): "ready" once loaded, then per invoke the captured logs and
// the response or the error. Node built-ins only: it runs the bundles CDK deploys as they are.
/* global fetch, Buffer, setTimeout, clearTimeout, setInterval -- Node globals; the lint config names only a few for .mjs */
import http, { createServer } from "node:http";
import https from "node:https";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { existsSync } from "node:fs";

const env = process.env;
const endpoint = env.LOCALSTACK_RUNTIME_ENDPOINT; // http://127.0.0.1:<gateway>/_localstack_lambda/<executor id>
const runtimeId = env.LOCALSTACK_RUNTIME_ID;
const port = Number(env.GROUNDCREW_RUNTIME_PORT);
const taskRoot = env.LAMBDA_TASK_ROOT ?? process.cwd();
const timeoutMs = Number(env.AWS_LAMBDA_FUNCTION_TIMEOUT ?? 3) * 1000;

async function post(path, body) {
  const response = await fetch(`${endpoint}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  if (!response.ok && response.status !== 202) console.error(`[runtime] POST ${path} answered ${response.status}`);
}

/** As AWS reports a thrown value: the name as errorType, the stack as trace. */
export function errorPayload(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name && error.name !== "Error" ? error.name : (error.constructor?.name ?? "Error"),
      errorMessage: error.message,
      trace: String(error.stack ?? "").split("\n"),
    };
  }
  return { errorType: "Error", errorMessage: typeof error === "string" ? error : JSON.stringify(error), trace: [] };
}

/** "dir/index.handler" → module dir/index (.js, .mjs or .cjs), export path ["handler"]. */
export function parseHandler(handler) {
  const slash = handler.lastIndexOf("/");
  const dir = handler.slice(0, slash + 1);
  const rest = handler.slice(slash + 1);
  const dot = rest.indexOf(".");
  if (dot <= 0) throw Object.assign(new Error(`Bad handler ${handler}`), { name: "Runtime.MalformedHandlerName" });
  return { module: dir + rest.slice(0, dot), path: rest.slice(dot + 1).split(".") };
}

async function loadHandler(handler) {
  const { module, path } = parseHandler(handler);
  const base = join(taskRoot, module);
  const file = [".js", ".mjs", ".cjs"].map((ext) => base + ext).find((candidate) => existsSync(candidate));
  if (!file) {
    throw Object.assign(new Error(`Cannot find module '${module}' in ${taskRoot}`), {
      name: "Runtime.ImportModuleError",
    });
  }
  let loaded;
  if (file.endsWith(".mjs")) loaded = await import(pathToFileURL(file).href);
  else {
    try {
      loaded = createRequire(file)(file);
    } catch (error) {
      if (error?.code !== "ERR_REQUIRE_ESM") throw error;
      loaded = await import(pathToFileURL(file).href);
    }
  }
  let fn = path.reduce((value, key) => value?.[key], loaded);
  if (typeof fn !== "function") fn = path.reduce((value, key) => value?.[key], loaded?.default);
  if (typeof fn !== "function") {
    throw Object.assign(new Error(`${handler} is undefined or not exported`), { name: "Runtime.HandlerNotFound" });
  }
  return fn;
}

// CDK's Node custom-resource entrypoint answers with https.request({ hostname, path }): the
// ResponseURL's scheme and port are dropped (on AWS it is S3 on 443). Here the URL names the route
// our custom-resource provider adds to LocalStack's plain-http gateway on loopback; send it there.
export const CFN_RESPONSE_PATH = "/_groundcrew/cfn-response/";
const httpsRequest = https.request;
https.request = function request(options, ...rest) {
  const host = options?.hostname ?? options?.host;
  const toGateway =
    typeof options === "object" &&
    !(options instanceof URL) &&
    options.port === undefined &&
    (host === "127.0.0.1" || host === "localhost") &&
    String(options.path ?? "").startsWith(CFN_RESPONSE_PATH);
  if (toGateway) return http.request({ ...options, port: Number(env.EDGE_PORT) }, ...rest);
  return httpsRequest.call(this, options, ...rest);
};

// Everything the handler prints is both passed through (LocalStack keeps it as the environment's
// output) and collected for the invoke's log record (CloudWatch Logs, LogType=Tail).
let captured = undefined;
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    if (captured !== undefined) captured.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
    return write(chunk, ...rest);
  };
}

function context(invoke, deadline) {
  return {
    awsRequestId: invoke["invoke-id"],
    invokedFunctionArn: invoke["invoked-function-arn"],
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: String(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE),
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function run(fn, event, ctx) {
  return new Promise((resolve, reject) => {
    const callback = (error, result) => (error ? reject(error) : resolve(result));
    Object.assign(ctx, { done: callback, succeed: (result) => resolve(result), fail: (error) => reject(error) });
    try {
      const returned = fn(event, ctx, callback);
      // Async handlers settle through their promise; callback handlers (3 parameters) through the callback.
      if (returned && typeof returned.then === "function") returned.then(resolve, reject);
      else if (fn.length < 3) resolve(returned);
    } catch (error) {
      reject(error);
    }
  });
}

async function handle(fn, invoke) {
  const requestId = invoke["invoke-id"];
  const started = Date.now();
  const deadline = started + timeoutMs;
  captured = [];
  console.log(`START RequestId: ${requestId} Version: ${env.AWS_LAMBDA_FUNCTION_VERSION}`);
  process.env._X_AMZN_TRACE_ID = invoke["trace-id"] ?? "";
  let outcome;
  let timer;
  try {
    const event = invoke.payload === undefined || invoke.payload === "" ? {} : JSON.parse(invoke.payload);
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => resolve({ timedOut: true }), timeoutMs);
    });
    const result = await Promise.race([
      run(fn, event, context(invoke, deadline)).then((value) => ({ value })),
      timedOut,
    ]);
    outcome = result.timedOut
      ? {
          error: {
            errorType: "Sandbox.Timedout",
            errorMessage: `${new Date().toISOString()} ${requestId} Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
          },
        }
      : { value: result.value };
  } catch (error) {
    console.error(`ERROR\t${error instanceof Error ? (error.stack ?? error.message) : JSON.stringify(error)}`);
    outcome = { error: errorPayload(error) };
  } finally {
    clearTimeout(timer);
  }
  console.log(`END RequestId: ${requestId}`);
  console.log(`REPORT RequestId: ${requestId}\tDuration: ${Date.now() - started} ms`);
  const logs = captured.join("");
  captured = undefined;
  await post(`/invocations/${requestId}/logs`, { logs });
  if ("error" in outcome) await post(`/invocations/${requestId}/error`, outcome.error);
  else await post(`/invocations/${requestId}/response`, JSON.stringify(outcome.value ?? null));
}

/** LocalStack stops its environments on shutdown; if it is killed instead, its runtimes must not linger. */
function exitWithParent() {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 2000).unref();
}

async function main() {
  exitWithParent();
  let fn;
  try {
    fn = await loadHandler(env._HANDLER ?? "index.handler");
  } catch (error) {
    console.error(error);
    await post(`/status/${runtimeId}/error`, errorPayload(error));
    process.exit(1);
  }
  const server = createServer((request, response) => {
    if (request.method !== "POST" || request.url !== "/invoke") {
      response.writeHead(404).end();
      return;
    }
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      // Accept at once: the outcome travels back through the endpoint, as with lambda-runtime-init.
      response.writeHead(200).end();
      const invoke = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      handle(fn, invoke).catch((error) => console.error("[runtime] could not report the invoke", error));
    });
  });
  server.listen(port, "127.0.0.1", () => {
    post(`/status/${runtimeId}/ready`, {}).catch((error) => {
      console.error("[runtime] could not report ready", error);
      process.exit(1);
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
