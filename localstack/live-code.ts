import { watch, type FSWatcher } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { FunctionKind } from "../functions/contracts/environment.js";
import { handlerEntries } from "../infra/bundling.js";
import type { LocalOutputs } from "./deploy.js";
import { localDir, repoRoot } from "./env.js";
import { bundler, sourcesOf } from "./live-bundle.js";
import { deployedFunctions, emulatorLambda, updateCode } from "./live-functions.js";
import { markLiveSwapped } from "./live-swapped.js";
import { startRunners } from "./runner-process.js";

/** Saves closer together than this are one change: editors write a file in several steps, "save all" many files. */
const debounceMs = 150;

/** Functions that run only during a deploy (a Trigger invokes them): swapping their code would not run it. */
const deployTimeKinds: ReadonlySet<FunctionKind> = new Set(["setup", "static-upload"]);

/**
 * Live code: while it runs, a saved change under functions/ is rebuilt and swapped into the deployed
 * functions on the emulator, typically within a second or two.
 *
 * - Which functions a file affects comes from esbuild's metafile of each entry in handlerEntries, built
 *   with the deploy's own settings (live-bundle.ts), so only those are rebuilt and uploaded.
 * - The upload is Lambda UpdateFunctionCode; ministack drops the warm workers there (live-functions.ts).
 * - A file that does not compile prints esbuild's message and the old code stays live.
 * - infra/, and the files under functions/ that infra/app.ts imports (the configuration and the contracts
 *   of the environment), need a deploy: it says so instead of swapping.
 * - The container queues' runner (a host process) is restarted when its code changes.
 *
 * `sourceRoot` stands for the repository's functions/ (a test points it at a copy).
 */
export function watchFunctions(options: { outputs: LocalOutputs; log: (line: string) => void; sourceRoot?: string }): {
  close(): Promise<void>;
} {
  const sourceRoot = resolve(options.sourceRoot ?? join(repoRoot, "functions"));
  const infraDir = join(repoRoot, "infra");
  /** The files under functions/ that infra reads too (the contracts: configuration, bindings), in sourceRoot. */
  let infraReads = new Set<string>();
  const learnInfraReads = async () => {
    const reads = await sourcesOf(join(infraDir, "app.ts"));
    const functionsDir = join(repoRoot, "functions");
    infraReads = new Set(
      [...reads]
        .filter((path) => isInside(path, functionsDir))
        .map((path) => join(sourceRoot, relative(functionsDir, path))),
    );
  };
  const isInfra = (path: string) => isInside(path, infraDir) || infraReads.has(path);
  const log = (line: string) => options.log(`[live] ${line}`);
  const lambda = emulatorLambda();
  const kinds = Object.keys(handlerEntries) as FunctionKind[];
  /** Each kind's source files, from its last good build. */
  const inputs = new Map<FunctionKind, Set<string>>();
  const bundlers = new Map(
    kinds.map((kind) => [kind, bundler(join(sourceRoot, handlerEntries[kind]), join(localDir, "live", kind))]),
  );
  const build = (kind: FunctionKind) => bundlers.get(kind)!.build();

  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  // First build of every entry: only to learn which files each reads (the emulator already runs this code).
  let work: Promise<void> = (async () => {
    await learnInfraReads().catch((error: unknown) => log(`infra/app.ts does not build: ${describe(error)}`));
    for (const kind of kinds) {
      const result = await build(kind);
      if (result.ok) inputs.set(kind, result.inputs);
      else log(`${kind}: does not build yet; a save of any of its files retries:\n${result.message}`);
    }
    log(`watching ${shortPath(sourceRoot)}/ for ${inputs.size} functions; infra/ changes need npm run local:up`);
  })();

  const changed = (root: string) => (_event: string, filename: string | Buffer | null) => {
    if (closed || !filename) return;
    const path = join(root, filename.toString());
    if (isEditorScratch(path)) return;
    pending.add(path);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const batch = [...pending];
      pending.clear();
      work = work.then(() => apply(batch)).catch((error: unknown) => log(`failed: ${describe(error)}`));
    }, debounceMs);
  };
  const watchers: FSWatcher[] = [sourceRoot, join(repoRoot, "infra")].map((root) =>
    watch(root, { recursive: true }, changed(root)),
  );

  async function apply(paths: string[]): Promise<void> {
    if (closed) return;
    const started = Date.now();
    // What infra reads is deployed, not swapped: the functions get it through the environment the stack sets.
    const infraChanges = paths.filter(isInfra);
    if (infraChanges.length > 0) {
      log(`infrastructure changed (${infraChanges.map(shortPath).join(", ")}): run npm run local:up`);
      await learnInfraReads().catch(() => undefined);
    }
    const codeChanges = paths.filter((path) => !infraChanges.includes(path));
    // A kind that has not built yet has no file list: any change under the source root retries it.
    const affected = kinds.filter(
      (kind) =>
        codeChanges.length > 0 && (!inputs.has(kind) || codeChanges.some((path) => inputs.get(kind)?.has(path))),
    );
    if (affected.length === 0) return;
    const what = codeChanges.map(shortPath).join(", ");

    // Every affected bundle at once: esbuild runs them side by side, and one slow entry does not hold the others.
    const [deployed, results] = await Promise.all([
      deployedFunctions(lambda, options.outputs.stackName),
      Promise.all(affected.map(async (kind) => ({ kind, result: await build(kind) }))),
    ]);
    const built = Date.now();
    const swapped: string[] = [];
    const errors = new Map<string, FunctionKind[]>();
    for (const { kind, result } of results) {
      if (!result.ok) {
        errors.set(result.message, [...(errors.get(result.message) ?? []), kind]);
        continue;
      }
      inputs.set(kind, result.inputs);
      if (kind === "runner") {
        // Not a Lambda: a host process that runs the sources with tsx, so a restart is the swap.
        const pids = await startRunners(options.outputs);
        swapped.push(`runner restarted (${Object.keys(pids).join(", ") || "no container queue"})`);
      } else if (deployTimeKinds.has(kind)) {
        log(`${kind} runs during a deploy: run npm run local:up to run the changed code`);
      } else {
        const functions = deployed.get(kind) ?? [];
        await Promise.all(functions.map((fn) => updateCode(lambda, fn.name, result.zip)));
        // A kind the local stage does not deploy (media-keygen without a CDN) has nothing to swap.
        if (functions.length === 0) continue;
        markLiveSwapped(kind);
        swapped.push(functions.length === 1 ? kind : `${kind} (${functions.length} functions)`);
      }
    }
    for (const [message, failed] of errors) {
      log(`${failed.join(", ")} not updated, the running code stays live:\n${message}`);
    }
    if (swapped.length > 0) {
      const seconds = (from: number, to = Date.now()) => ((to - from) / 1000).toFixed(1);
      log(
        `${what} → live in ${seconds(started)}s (build ${seconds(started, built)}s, upload ${seconds(built)}s): ${swapped.join(", ")}`,
      );
    }
  }

  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      await work;
      await Promise.all([...bundlers.values()].map((b) => b.dispose()));
      lambda.destroy();
    },
  };
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root + sep);
}

/** Backup and swap files editors write beside the real one (vim's 4913 and .swp, emacs' .#x and x~). */
function isEditorScratch(path: string): boolean {
  const name = path.split(sep).pop() ?? "";
  return name === "4913" || name.endsWith("~") || name.startsWith(".#") || /\.sw[a-p]$/.test(name);
}

function shortPath(path: string): string {
  const fromRepo = relative(repoRoot, path);
  return fromRepo.startsWith("..") ? path : fromRepo;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
