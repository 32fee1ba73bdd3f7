import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FunctionKind } from "../functions/contracts/environment.js";
import { handlerEntries } from "../infra/bundling.js";
import { functionsDir } from "../infra/paths.js";
import { localDir } from "./env.js";
import { buildBundle } from "./live-bundle.js";
import { deployedFunctions, emulatorLambda, updateCode } from "./live-functions.js";

/**
 * Which kinds live code swapped since the last `local:up`. A swap leaves the emulator running code the
 * deploy did not upload, and a later deploy cannot notice: the template still names the same asset, so
 * CloudFormation leaves the function alone. `local:up` therefore uploads these kinds' bundles again
 * (from the sources as they are now, exactly what a deploy would upload) and forgets the list.
 */
const swappedFile = () => join(localDir, "live-swapped.json");

export function liveSwappedKinds(): FunctionKind[] {
  if (!existsSync(swappedFile())) return [];
  return JSON.parse(readFileSync(swappedFile(), "utf8")) as FunctionKind[];
}

export function markLiveSwapped(kind: FunctionKind): void {
  const kinds = new Set(liveSwappedKinds()).add(kind);
  mkdirSync(localDir, { recursive: true });
  writeFileSync(swappedFile(), JSON.stringify([...kinds]));
}

/** After the deployed code was put back (a test restoring what it swapped). */
export function forgetLiveSwapped(): void {
  rmSync(swappedFile(), { force: true });
}

/** Uploads the current bundles of the kinds live code swapped; returns them. A build error throws. */
export async function resyncLiveSwapped(stackName: string): Promise<FunctionKind[]> {
  const kinds = liveSwappedKinds();
  if (kinds.length === 0) return [];
  const lambda = emulatorLambda();
  try {
    const deployed = await deployedFunctions(lambda, stackName);
    for (const kind of kinds) {
      const result = await buildBundle(join(functionsDir, handlerEntries[kind]), join(localDir, "live", kind));
      if (!result.ok) throw new Error(`${kind} does not build:\n${result.message}`);
      for (const fn of deployed.get(kind) ?? []) await updateCode(lambda, fn.name, result.zip);
    }
  } finally {
    lambda.destroy();
  }
  forgetLiveSwapped();
  return kinds;
}
