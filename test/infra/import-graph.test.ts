import { build } from "esbuild";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../infra/paths.js";

/**
 * Every module an entry point loads, from its real import graph: esbuild resolves the imports as
 * Node would and lists each file it read. Packages stay external, so only the project's own files
 * are listed.
 */
async function importGraph(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(repoRoot, entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    packages: "external",
    logLevel: "silent",
  });
  return Object.keys(result.metafile.inputs);
}

const outside = (files: string[], allowed: RegExp, under: RegExp) =>
  files.filter((file) => under.test(file) && !allowed.test(file));

describe("what loads what", () => {
  it("synth loads no function code, only the contracts between infra and functions", async () => {
    const files = await importGraph("infra/app.ts");
    expect(files.some((file) => file.startsWith("infra/"))).toBe(true);
    expect(outside(files, /^functions\/contracts\//, /^functions\//)).toEqual([]);
  });

  it("the contracts load nothing but each other (no SDK client, no database code)", async () => {
    const files = await importGraph("functions/contracts/environment.ts");
    expect(outside(files, /^functions\/contracts\//, /./)).toEqual([]);
  });

  it.each([
    "functions/api/handler.ts",
    "functions/worker/handler.ts",
    "functions/scheduler/handler.ts",
    "functions/setup/handler.ts",
  ])("%s loads nothing from the emulator, the tests or the benches", async (entry) => {
    const files = await importGraph(entry);
    expect(files.filter((file) => /^(localstack|test|bench|infra)\//.test(file))).toEqual([]);
  });

  it.each(["bench/dispatcher.ts", "bench/tasks.ts"])(
    "%s stands on its own, without the test suite's helpers",
    async (entry) => {
      const files = await importGraph(entry);
      expect(files.filter((file) => file.startsWith("test/"))).toEqual([]);
    },
  );
});
