import { build, type Metafile } from "esbuild";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { deflateRawSync } from "node:zlib";
import { bundleFileName, esbuildOptions } from "../infra/bundling.js";
import { handlerEntries } from "../infra/bundling.js";
import { functionsDir, repoRoot } from "../infra/paths.js";

/**
 * `npx tsx bench/bundles.ts`: each function bundled with the deploy settings (infra/bundling.ts) beside a
 * bare handler that imports the same AWS SDK packages and nothing else: minified bundle, source map and
 * deployed zip bytes, each with its ratio to the bare peer. bench/cold-start.ts loads the same bundles.
 */

export interface Bundle {
  name: string;
  /** The bare handler it is compared with (a peer's own peer is itself). */
  peer: string;
  dir: string;
  file: string;
  bytes: number;
  mapBytes: number;
  zipBytes: number;
  /** The @aws-sdk packages (and smithy's clients through them) the bundle holds. */
  sdkPackages: string[];
}

const sdkPackage =
  /node_modules\/(@aws-sdk\/(?:client-[^/]+|s3-presigned-post|s3-request-presigner|cloudfront-signer|lib-storage))\//;

export function sdkPackagesOf(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = sdkPackage.exec(input);
    if (match?.[1]) found.add(match[1]);
  }
  return [...found].sort();
}

/** The zip CDK uploads: each file of the asset directory deflated (yazl, zlib's default level), with zip headers. */
export function zipBytes(dir: string): number {
  let total = 22; // end of central directory
  for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const path = join(dir, file);
    if (!statSync(path).isFile()) continue;
    const name = Buffer.byteLength(file);
    total += 30 + name + deflateRawSync(readFileSync(path)).length + 46 + name;
  }
  return total;
}

async function bundle(name: string, peer: string, entry: string, root: string): Promise<Bundle> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const result = await build({ ...esbuildOptions(entry, dir), metafile: true, logLevel: "error" });
  const file = join(dir, bundleFileName);
  return {
    name,
    peer,
    dir,
    file,
    bytes: statSync(file).size,
    mapBytes: statSync(`${file}.map`).size,
    zipBytes: zipBytes(dir),
    sdkPackages: sdkPackagesOf(result.metafile),
  };
}

/** Imports every client class (or, for helper packages, every export) of each package, and keeps them alive. */
async function sdkImports(packages: readonly string[]): Promise<{ imports: string; names: string[] }> {
  const lines: string[] = [];
  const names: string[] = [];
  for (const [index, pkg] of packages.entries()) {
    const exported = Object.keys((await import(pkg)) as object);
    const named = exported.filter((key) => key !== "default");
    const wanted = pkg.includes("/client-") ? named.filter((key) => /^[A-Z]\w*Client$/.test(key)) : named;
    const aliases = wanted.map((key) => `${key} as s${index}_${key}`);
    lines.push(`import { ${aliases.join(", ")} } from "${pkg}";`);
    names.push(...wanted.map((key) => `s${index}_${key}`));
  }
  return { imports: lines.join("\n"), names };
}

/** Peers written as plain handlers; each holds the SDK packages of the function it stands beside. */
async function peerSource(
  kind: "bare" | "hono" | "powertools-router" | "batch-processor",
  packages: readonly string[],
): Promise<string> {
  const { imports, names } = await sdkImports(packages);
  const keep = `const sdk = [${names.join(", ")}];`;
  switch (kind) {
    case "bare":
      return `${imports}\n${keep}\nexport const handler = async () => ({ statusCode: 200, body: String(sdk.length) });\n`;
    case "hono":
      return `${imports}\nimport { Hono } from "hono";\nimport { handle } from "hono/aws-lambda";\n${keep}
const app = new Hono();
app.get("/health", (c) => c.json({ ok: sdk.length }));
app.post("/tasks/:name", async (c) => c.json({ name: c.req.param("name"), body: await c.req.json() }, 202));
export const handler = handle(app);\n`;
    case "powertools-router":
      return `${imports}\nimport { Router } from "@aws-lambda-powertools/event-handler/http";\n${keep}
const app = new Router();
app.get("/health", async () => ({ ok: sdk.length }));
app.post("/tasks/:name", async ({ params }) => ({ name: params.name }));
export const handler = async (event, context) => app.resolve(event, context);\n`;
    case "batch-processor":
      return `${imports}
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";\n${keep}
const processor = new BatchProcessor(EventType.SQS);
const logger = new Logger();
const record = async (item) => { logger.info("record", { id: item.messageId, sdk: sdk.length }); };
export const handler = async (event, context) => processPartialResponse(event, record, processor, { context });\n`;
  }
}

/** The functions compared in the benches, each with the peers that show what a leaner stack would cost. */
export const benchFunctions = [
  "api",
  "worker",
  "dispatcher",
  "setup",
  "maintenance",
  "media-processor",
  "media-keygen",
] as const;

export async function buildBundles(names: readonly string[] = benchFunctions): Promise<Bundle[]> {
  const root = mkdtempSync(join(tmpdir(), "groundcrew-bundles-"));
  const peerRoot = join(root, "peers-src");
  mkdirSync(peerRoot);
  const bundles: Bundle[] = [];
  for (const name of names) {
    const entry = join(functionsDir, handlerEntries[name as keyof typeof handlerEntries]);
    const fn = await bundle(name, `${name}:bare`, entry, root);
    const peers: Array<Parameters<typeof peerSource>[0]> = ["bare"];
    if (name === "api") peers.push("hono", "powertools-router");
    if (name === "worker") peers.push("batch-processor");
    for (const kind of peers) {
      // Written inside the repository's tree so esbuild resolves packages from its node_modules.
      const source = join(repoRoot, "node_modules", ".cache", "groundcrew-bench", `${name}-${kind}.mjs`);
      mkdirSync(join(source, ".."), { recursive: true });
      writeFileSync(source, await peerSource(kind, fn.sdkPackages));
      bundles.push(await bundle(`${name}:${kind}`, `${name}:bare`, source, root));
    }
    bundles.push(fn);
  }
  return bundles;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`.padStart(8);

export function printSizes(bundles: readonly Bundle[]): void {
  const byName = new Map(bundles.map((b) => [b.name, b]));
  console.log(
    `${"bundle".padEnd(26)}${"js".padStart(8)} ratio${"map".padStart(8)}${"zip".padStart(8)} ratio  sdk packages`,
  );
  for (const b of bundles) {
    const bare = byName.get(b.peer);
    const ratio = (value: number, of: number | undefined) => (of ? `${(value / of).toFixed(2)}x` : "").padStart(6);
    const sdk = b.name.includes(":") ? "" : b.sdkPackages.map((p) => p.replace("@aws-sdk/", "")).join(" ");
    console.log(
      `${b.name.padEnd(26)}${kb(b.bytes)}${ratio(b.bytes, bare?.bytes)}${kb(b.mapBytes)}${kb(b.zipBytes)}${ratio(b.zipBytes, bare?.zipBytes)}  ${sdk}`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const bundles = await buildBundles(process.argv.slice(2).length > 0 ? process.argv.slice(2) : benchFunctions);
  printSizes(bundles);
  console.log(`(bundles in ${relative(process.cwd(), join(bundles[0]?.dir ?? "", ".."))})`);
}
