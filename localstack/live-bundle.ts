import { build, context, formatMessages, type BuildContext, type Message } from "esbuild";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleFileName, esbuildOptions } from "../infra/bundling.js";
import { zipFiles } from "./live-zip.js";

export type BundleResult =
  | {
      ok: true;
      /** Absolute paths of the source files the bundle was built from (node_modules left out): what to watch. */
      inputs: Set<string>;
      /** index.js and index.js.map, zipped as Lambda takes them. */
      zip: Buffer;
    }
  | { ok: false; message: string };

/**
 * Builds one function the way `cdk deploy` does (infra/bundling.ts esbuildOptions: the same settings,
 * so the bundle is byte for byte the one CDK uploads) into `outdir`, and says which files it read.
 * Only the metafile and the log level are added, and neither changes the output. The esbuild context
 * is kept between builds: a rebuild reparses only the files that changed.
 */
export interface Bundler {
  build(): Promise<BundleResult>;
  dispose(): Promise<void>;
}

export function bundler(entry: string, outdir: string): Bundler {
  let built: Promise<BuildContext> | undefined;
  return {
    async build() {
      mkdirSync(outdir, { recursive: true });
      built ??= context({ ...esbuildOptions(entry, outdir), metafile: true, logLevel: "silent" });
      try {
        const result = await (await built).rebuild();
        const inputs = new Set(
          Object.keys(result.metafile?.inputs ?? {})
            .filter((input) => !input.includes("node_modules/"))
            .map((input) => resolve(input)),
        );
        const zip = zipFiles(
          [bundleFileName, `${bundleFileName}.map`].map((name) => ({ name, data: readFileSync(join(outdir, name)) })),
        );
        return { ok: true, inputs, zip };
      } catch (error) {
        return { ok: false, message: await readableBuildError(error) };
      }
    },
    async dispose() {
      await (await built)?.dispose();
    },
  };
}

/** One build, without keeping the context. */
export async function buildBundle(entry: string, outdir: string): Promise<BundleResult> {
  rmSync(outdir, { recursive: true, force: true });
  const once = bundler(entry, outdir);
  try {
    return await once.build();
  } finally {
    await once.dispose();
  }
}

/** esbuild's own rendering of its errors (file:line:column, the line, a caret), without colours. */
async function readableBuildError(error: unknown): Promise<string> {
  const errors = (error as { errors?: Message[] }).errors;
  if (!errors?.length) return error instanceof Error ? error.message : String(error);
  return (await formatMessages(errors, { kind: "error", color: false })).join("").trimEnd();
}

/**
 * The repository files a program reads (its local imports, transitively; packages left out), from
 * esbuild's metafile without writing anything: for infra/app.ts, what a deploy is made from.
 */
export async function sourcesOf(entry: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return new Set(Object.keys(result.metafile.inputs).map((input) => resolve(input)));
}
