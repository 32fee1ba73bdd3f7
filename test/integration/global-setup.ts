import type { TestProject } from "vitest/node";
import { ensureChromium } from "../../localstack/ensure-chromium.js";
import { dataApiUrl } from "../../localstack/env.js";
import { answers } from "../../localstack/processes.js";
import { stopDataApi } from "../../localstack/data-api-process.js";
import { stopEmulator, EMULATOR } from "../../localstack/emulator.js";
import { stopFrontDoor } from "../../localstack/front-door-process.js";
import { runningPid } from "../../localstack/processes.js";
import { stopRunners } from "../../localstack/runner-process.js";
import { localUp } from "../../localstack/up.js";
import type { LocalOutputs } from "../../localstack/deploy.js";

declare module "vitest" {
  export interface ProvidedContext {
    outputs: LocalOutputs;
  }
}

/**
 * Brings the local stack up once for all integration files (the same `local:up` a developer
 * runs) and stops afterwards only what it had to start, so a running `npm start` survives.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulatorWasRunning = runningPid(EMULATOR) !== undefined;
  const dataApiWasUp = await answers(`${dataApiUrl}/_health`);
  // Before the stack, so a CI machine installs the console tests' browser within this hook's long timeout.
  ensureChromium((line) => console.log(`[integration] ${line}`));
  const started = Date.now();
  const outputs = await localUp({ quiet: !process.env.GROUNDCREW_VERBOSE });
  console.log(`[integration] local stack ready in ${((Date.now() - started) / 1000).toFixed(1)}s: ${outputs.apiUrl}`);
  project.provide("outputs", outputs);
  return async () => {
    if (process.env.GROUNDCREW_KEEP_STACK === "1") return;
    // Runners first, while the queues and the database still answer; a stack we found running keeps its own.
    if (!emulatorWasRunning) await stopRunners();
    if (!emulatorWasRunning) await stopFrontDoor();
    if (!dataApiWasUp) await stopDataApi();
    if (!emulatorWasRunning) await stopEmulator();
  };
}
