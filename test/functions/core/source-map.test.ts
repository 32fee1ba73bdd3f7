import { build } from "esbuild";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { esbuildOptions } from "../../../infra/bundling.js";
import { mapErrorStack, originalStack } from "../../../functions/core/source-map.js";

/** A module bundled with the deploy settings, whose error is raised in a plain `node` (no source maps enabled). */
const dir = mkdtempSync(join(tmpdir(), "groundcrew-source-map-"));
let rawStack = "";
let loggedLine = "";
const loggerModule = join(import.meta.dirname, "../../../functions/core/logger.ts");

beforeAll(async () => {
  mkdirSync(join(dir, "src"));
  writeFileSync(
    join(dir, "src", "boom.ts"),
    [
      "export function boom(): never {",
      "  const label = `boom ${Date.now() > 0}`;",
      "  throw new Error(label);",
      "}",
      "",
    ].join("\n"),
  );
  await build({ ...esbuildOptions(join(dir, "src", "boom.ts"), join(dir, "out")), logLevel: "error" });
  const script = `try { require(${JSON.stringify(join(dir, "out", "index.js"))}).boom() } catch (e) { process.stdout.write(e.stack) }`;
  rawStack = execFileSync(process.execPath, ["-e", script], {
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  // The same bundle shape with the project's logger: what a deployed function writes when it logs an error.
  writeFileSync(
    join(dir, "src", "logs.ts"),
    [
      `import { logger } from ${JSON.stringify(loggerModule)};`,
      "try {",
      "  JSON.parse('{');",
      "} catch (error) {",
      "  logger.error('failed', { error: error as Error });",
      "}",
      "",
    ].join("\n"),
  );
  await build({ ...esbuildOptions(join(dir, "src", "logs.ts"), join(dir, "logs")), logLevel: "error" });
  const run = spawnSync(process.execPath, [join(dir, "logs", "index.js")], {
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "", POWERTOOLS_DEV: "" },
  });
  loggedLine = run.stdout + run.stderr; // Powertools writes errors to stderr
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("originalStack", () => {
  it("maps a frame of the minified bundle to the TypeScript line that threw", () => {
    expect(rawStack).toContain(join(dir, "out", "index.js"));
    const frame = originalStack(rawStack).split("\n")[1];
    expect(frame).toMatch(/src\/boom\.ts:3:\d+\)?$/);
    expect(frame).not.toContain("index.js");
  });

  it("leaves frames without a map beside their file as they are", () => {
    const stack = "Error: x\n    at run (/nowhere/index.js:1:10)\n    at node:internal/main:2:3";
    expect(originalStack(stack)).toBe(stack);
  });

  it("maps an error and its causes once, in place", () => {
    const cause = Object.assign(new Error("inner"), { stack: rawStack });
    const error = new Error("outer", { cause });
    error.stack = rawStack;
    mapErrorStack(error);
    const once = error.stack;
    mapErrorStack(error);
    expect(error.stack).toBe(once);
    expect(error.stack).toMatch(/src\/boom\.ts:3:/);
    expect(cause.stack).toMatch(/src\/boom\.ts:3:/);
  });

  it("is what the logger writes: the stack and location of a logged error name the TypeScript", () => {
    const { error } = JSON.parse(loggedLine) as { error: { stack: string; location: string } };
    expect(error.stack).toMatch(/src\/logs\.ts:3:\d+/);
    expect(error.location).toMatch(/src\/logs\.ts:3$/);
  });
});
