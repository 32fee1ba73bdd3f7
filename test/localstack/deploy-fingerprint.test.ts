import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  changedInputs,
  deployFingerprint,
  deployPaths,
  forgetFingerprint,
  saveFingerprint,
  savedFingerprint,
  type DeployInputs,
} from "../../localstack/deploy-fingerprint.js";

describe("deployFingerprint", () => {
  let root: string;
  const inputs = (facts: Record<string, string> = { emulator: "ministack:1", dataApiUrl: "http://127.0.0.1:4567" }) =>
    ({ root, paths: deployPaths, facts }) satisfies DeployInputs;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "groundcrew-fingerprint-"));
    write("infra/app.ts", "new App();");
    write("functions/api/handler.ts", "export const handler = 1;");
    write("functions/contracts/config/stages.ts", "export const stages = {};");
    write("cdk.json", "{}");
    write("package-lock.json", "{}");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("is the same for the same inputs", () => {
    expect(deployFingerprint(inputs()).digest).toBe(deployFingerprint(inputs()).digest);
  });

  it.each([
    ["an infra file", "infra/app.ts"],
    ["a function's source", "functions/api/handler.ts"],
    ["the local configuration", "functions/contracts/config/stages.ts"],
    ["cdk.json", "cdk.json"],
    ["the lock file", "package-lock.json"],
  ])("changes when %s changes", (_what, path) => {
    const before = deployFingerprint(inputs());
    write(path, "changed");
    const after = deployFingerprint(inputs());
    expect(after.digest).not.toBe(before.digest);
    expect(changedInputs(before, after)).toEqual([path]);
  });

  it("changes when a file is added, removed or renamed in a deployed folder", () => {
    const first = deployFingerprint(inputs());
    write("functions/api/new-route.ts", "export {};");
    const added = deployFingerprint(inputs());
    expect(added.digest).not.toBe(first.digest);
    renameSync(join(root, "functions/api/new-route.ts"), join(root, "functions/api/renamed.ts"));
    const renamed = deployFingerprint(inputs());
    expect(renamed.digest).not.toBe(added.digest);
    rmSync(join(root, "functions/api/renamed.ts"));
    expect(deployFingerprint(inputs()).digest).toBe(first.digest);
  });

  it("changes when the emulator or the Data API address changes", () => {
    const before = deployFingerprint(inputs());
    const newEmulator = deployFingerprint(inputs({ emulator: "ministack:2", dataApiUrl: "http://127.0.0.1:4567" }));
    const newDataApi = deployFingerprint(inputs({ emulator: "ministack:1", dataApiUrl: "http://127.0.0.1:4611" }));
    expect(newEmulator.digest).not.toBe(before.digest);
    expect(newDataApi.digest).not.toBe(before.digest);
    expect(changedInputs(before, newEmulator)).toEqual(["fact:emulator"]);
  });

  it("ignores files the deploy does not read: tests, docs, node_modules, other folders", () => {
    const before = deployFingerprint(inputs());
    write("test/functions/api/handler.test.ts", "it()");
    write("README.md", "# changed");
    write("localstack/up.ts", "changed");
    write("functions/node_modules/some-package/index.js", "module.exports = 1;");
    write(".local/outputs.json", "{}");
    expect(deployFingerprint(inputs()).digest).toBe(before.digest);
  });

  it("is kept in the state folder until forgotten", () => {
    const fingerprint = deployFingerprint(inputs());
    expect(savedFingerprint(root)).toBeUndefined();
    saveFingerprint(root, fingerprint);
    expect(savedFingerprint(root)?.digest).toBe(fingerprint.digest);
    forgetFingerprint(root);
    expect(savedFingerprint(root)).toBeUndefined();
  });
});
