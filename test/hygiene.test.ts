import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? testFiles(path) : entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("the test suite", () => {
  it("has no focused, skipped or to-do tests (a test that does not run proves nothing)", () => {
    const pattern = /\b(?:it|test|describe)\s*\.\s*(?:only|skip|skipIf|runIf|todo)\b|\bx(?:it|describe)\s*\(/;
    const offenders = testFiles(join(root, "test")).flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => pattern.test(line) && !line.includes("const pattern"))
        .map(({ index }) => `${relative(root, file)}:${index + 1}`),
    );
    expect(offenders).toEqual([]);
  });
});
