import type { BuildOptions } from "esbuild";
import type { FunctionKind } from "../functions/contracts/environment.js";

/**
 * The esbuild settings every function is deployed with. CDK's NodejsFunction reads them through
 * bundlingDefaults (constructs/function-defaults.ts); the benches and the bundle test call esbuild
 * with esbuildOptions() below, so what they measure is exactly what deploys. No CDK import here:
 * a bench only needs esbuild.
 */
export const deployBundling = {
  // The SDK is bundled, never taken from the runtime: versions stay fixed and emulators need none of their own.
  external: [] as string[],
  format: "cjs",
  // node20 output runs both on Lambda's nodejs22.x and on the host Node that ministack uses.
  target: "node20",
  minify: true,
  // A map beside the bundle, without the sources copied into it: three quarters of each zip was that copy.
  // Node does not read the map at start-up (no --enable-source-maps); the logger reads it on the first
  // error it logs (functions/core/source-map.ts).
  sourcemap: true,
  sourcesContent: false,
  // ESM builds of packages tree-shake better than their CommonJS builds.
  mainFields: ["module", "main"],
  logLevel: "warning",
} as const;

/** CDK writes the bundle as index.js; the map is index.js.map beside it. */
export const bundleFileName = "index.js";

/** The esbuild call CDK makes for one entry (its --platform=node --bundle plus the settings above). */
export function esbuildOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: { index: entry },
    outdir,
    bundle: true,
    platform: "node",
    format: deployBundling.format,
    target: deployBundling.target,
    minify: deployBundling.minify,
    sourcemap: deployBundling.sourcemap,
    sourcesContent: deployBundling.sourcesContent,
    mainFields: [...deployBundling.mainFields],
    external: [...deployBundling.external],
    logLevel: deployBundling.logLevel,
  };
}

/** Each kind's handler module, relative to functions/; it exports `handler`. */
export const handlerEntries: Record<FunctionKind, string> = {
  api: "api/handler.ts",
  worker: "worker/handler.ts",
  dispatcher: "scheduler/handler.ts",
  maintenance: "maintenance/handler.ts",
  setup: "setup/handler.ts",
  "media-processor": "media/processor/handler.ts",
  "media-keygen": "media/keygen/handler.ts",
  "static-upload": "static-site/upload/handler.ts",
  // Not a Lambda: the container image (functions/runner/Dockerfile) bundles it; listed so the bundle checks cover it.
  runner: "runner/main.ts",
};
