import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

/**
 * What a local deploy is made from: the files `cdk deploy` reads (the app and the function sources,
 * CDK's settings, the locked dependencies) and the facts it is given (emulator, Data API address...).
 * The same fingerprint as at the last successful deploy means a new deploy would change nothing.
 */
export interface DeployInputs {
  /** The repository; `paths` and the names hashed are relative to it. */
  root: string;
  /** Files and folders (read whole, recursively) that the deploy reads. A missing one counts as absent. */
  paths: string[];
  /** Values that are not files, by name (e.g. the emulator's identity, the Data API URL). */
  facts: Record<string, string>;
}

/** The repository's deploy inputs, relative to its root. */
export const deployPaths = [
  "infra",
  "functions",
  "cdk.json",
  "cdk.context.json",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
];

/** Folders never part of what deploys, wherever they are. */
const skippedFolders = new Set(["node_modules", "cdk.out", ".git"]);

/** Each input's own hash (files by path, facts as `fact:name`) and one digest over them all. */
export interface Fingerprint {
  digest: string;
  entries: Record<string, string>;
}

/** sha256 of every input file's bytes and of every fact, then a digest over the sorted list. */
export function deployFingerprint(inputs: DeployInputs): Fingerprint {
  const sha = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
  const entries: Record<string, string> = {};
  for (const file of inputs.paths.flatMap((path) => filesUnder(join(inputs.root, path)))) {
    entries[relative(inputs.root, file).split(sep).join("/")] = sha(readFileSync(file));
  }
  for (const [name, value] of Object.entries(inputs.facts)) entries[`fact:${name}`] = sha(value);
  const sorted = Object.keys(entries).sort();
  return {
    digest: sha(sorted.map((key) => `${key}\0${entries[key]}\n`).join("")),
    entries: sortedRecord(entries, sorted),
  };
}

/** What differs between two fingerprints (added, removed or changed inputs), for saying why a deploy runs. */
export function changedInputs(before: Fingerprint | undefined, after: Fingerprint): string[] {
  if (!before) return [];
  const keys = new Set([...Object.keys(before.entries), ...Object.keys(after.entries)]);
  return [...keys].filter((key) => before.entries[key] !== after.entries[key]).sort();
}

function sortedRecord(record: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((key) => [key, record[key]!]));
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() && skippedFolders.has(entry.name) ? [] : filesUnder(join(path, entry.name)),
  );
}

/** Where the fingerprint of the last successful deploy is kept (in the state folder, beside outputs.json). */
export const fingerprintFile = (localDir: string) => join(localDir, "deploy-fingerprint.json");

export function savedFingerprint(localDir: string): Fingerprint | undefined {
  const file = fingerprintFile(localDir);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Fingerprint;
  } catch {
    return undefined; // unreadable: as if there were none, which only means a deploy
  }
}

export function saveFingerprint(localDir: string, fingerprint: Fingerprint): void {
  writeFileSync(fingerprintFile(localDir), `${JSON.stringify(fingerprint, null, 1)}\n`);
}

/** Forgotten before a deploy starts, so a deploy that fails half-way is never taken for the last good one. */
export function forgetFingerprint(localDir: string): void {
  rmSync(fingerprintFile(localDir), { force: true });
}
