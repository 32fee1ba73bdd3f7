import { GetFunctionCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../localstack/env.js";
import { watchFunctions } from "../../localstack/live-code.js";
import { deployedFunctions, emulatorLambda, updateCode } from "../../localstack/live-functions.js";
import { forgetLiveSwapped } from "../../localstack/live-swapped.js";
import { outputs } from "./outputs.js";

/** The promise: a saved change is live within 5 s. */
const liveWithinMs = 5000;

/** Where the edit goes: the health route answers `health`; the edited copy reports another version (the contract holds). */
const anchor = 'json(health.db === "ok" ? 200 : 503, health)';
const edited = (version: string) => `json(health.db === "ok" ? 200 : 503, { ...health, version: "${version}" })`;

/** GET /health's version: what the running code says about itself. */
async function liveVersion(): Promise<string> {
  const response = await fetch(`${outputs().apiUrl}/health`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { version: string }).version;
}

describe("live code: a saved change under functions/ is swapped into the running local stack", () => {
  let tree: string;
  let healthFile: string;
  let lambda: LambdaClient;
  let originals: { name: string; zip: Buffer }[] = [];
  let watcher: { close(): Promise<void> } | undefined;
  const lines: string[] = [];

  beforeAll(async () => {
    // A copy of the sources, so the repository's own files are never edited by a test.
    tree = mkdtempSync(join(tmpdir(), "groundcrew-live-"));
    cpSync(join(repoRoot, "functions"), join(tree, "functions"), { recursive: true });
    for (const file of ["package.json", "tsconfig.json"]) cpSync(join(repoRoot, file), join(tree, file));
    symlinkSync(join(repoRoot, "node_modules"), join(tree, "node_modules"), "dir");
    healthFile = join(tree, "functions", "api", "routes", "health.ts");
    expect(readFileSync(healthFile, "utf8"), "the health route changed shape: update the anchor").toContain(anchor);

    // The code the deploy uploaded, to put back afterwards so later test files see the real API.
    lambda = emulatorLambda();
    const apiFunctions = (await deployedFunctions(lambda, outputs().stackName)).get("api") ?? [];
    expect(apiFunctions.length).toBeGreaterThan(0);
    originals = await Promise.all(
      apiFunctions.map(async ({ name }) => {
        const { Code } = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
        const response = await fetch(Code!.Location!);
        return { name, zip: Buffer.from(await response.arrayBuffer()) };
      }),
    );

    watcher = watchFunctions({
      outputs: outputs(),
      log: (line) => lines.push(line),
      sourceRoot: join(tree, "functions"),
    });
    await until(() => lines.some((line) => line.includes("watching")), 120_000, "the watcher's first builds");
  });

  afterAll(async () => {
    await watcher?.close();
    for (const { name, zip } of originals) await updateCode(lambda, name, zip);
    forgetLiveSwapped();
    lambda?.destroy();
    rmSync(tree, { recursive: true, force: true });
    expect(await liveVersion()).not.toMatch(/^live-/);
  });

  it("answers with the changed code within 5 s of the save", async () => {
    const token = `live-${Date.now()}`;
    expect(await liveVersion()).not.toBe(token);

    const saved = Date.now();
    edit(healthFile, (source) => source.replace(anchor, edited(token)));
    const answer = await until(
      async () => ((await liveVersion()) === token ? token : undefined),
      liveWithinMs,
      "the changed health route",
      lines,
    );
    console.log(`[live-code] save → new answer in ${Date.now() - saved} ms`);
    expect(answer).toBe(token);
  });

  it("keeps the running code live when a save does not compile, and says why", async () => {
    const live = await liveVersion();
    expect(live).toMatch(/^live-/);
    const seen = lines.length;

    edit(healthFile, (source) => source.replace("export const healthRoute", "export const healthRoute = = ("));
    const report = await until(
      () => lines.slice(seen).find((line) => line.includes("not updated")),
      liveWithinMs,
      "the build error",
      lines,
    );
    expect(report).toMatch(/health\.ts:\d+:\d+/);
    expect(await liveVersion()).toBe(live);
  });

  it("asks for npm run local:up when the infrastructure's inputs change, instead of swapping", async () => {
    const seen = lines.length;
    appendFileSync(join(tree, "functions", "contracts", "config", "stages.ts"), "\n// changed by the live-code test\n");
    const report = await until(
      () => lines.slice(seen).find((line) => line.includes("infrastructure changed")),
      liveWithinMs,
      "the infrastructure notice",
      lines,
    );
    expect(report).toMatch(/contracts\/config\/stages\.ts.*npm run local:up/);
  });
});

function edit(file: string, change: (source: string) => string): void {
  const before = readFileSync(file, "utf8");
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(file, after);
}

/** Polls until `check` gives a value, or fails naming what it waited for (with the watcher's lines). */
async function until<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  log: string[] = [],
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    // An answer that came only after the deadline (a slow request) is as late as no answer.
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `waited ${Date.now() - started} ms for ${what}${value === undefined ? " in vain" : " (too late)"}; live code said:\n${log.join("\n")}`,
      );
    }
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
