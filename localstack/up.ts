import { dataApiUrl, emulatorEndpoint, outputsFile } from "./env.js";
import { ensureDataApi } from "./data-api-process.js";
import { bootstrapOnce, deployLocalStack, type LocalOutputs } from "./deploy.js";
import { ensureEmulator } from "./emulator.js";
import { startRunners } from "./runner-process.js";

/**
 * `npm run local:up`: emulator, Data API stand-in, CDK bootstrap, deploy of the local stage, and a
 * runner per container queue (functions/runner, as a host process: no Docker needed).
 * Idempotent: what already runs is reused, and a deploy without changes is quick.
 */
export async function localUp(options: { quiet?: boolean } = {}): Promise<LocalOutputs> {
  const started = Date.now();
  const step = (message: string) => {
    if (!options.quiet) console.log(`[local:up ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}`);
  };
  step(`emulator on ${emulatorEndpoint}`);
  const emulator = await ensureEmulator();
  step(
    emulator.external ? "emulator: using the one already running" : `emulator: ministack ready (pid ${emulator.pid})`,
  );
  step(`data API stand-in on ${dataApiUrl}`);
  await ensureDataApi();
  step("cdk bootstrap");
  const bootstrapped = await bootstrapOnce(emulator.external ? `external:${Date.now()}` : `ministack:${emulator.pid}`);
  step(bootstrapped ? "bootstrapped" : "already bootstrapped");
  step("cdk deploy (stage=local)");
  const outputs = await deployLocalStack(options.quiet ?? false);
  // Container queues' runners: host processes here, restarted so they run this deploy's code and settings.
  const runners = await startRunners(outputs);
  for (const [queue, pid] of Object.entries(runners)) step(`runner of the ${queue} queue (pid ${pid})`);
  step(`ready; outputs in ${outputsFile}`);
  return outputs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const outputs = await localUp();
    console.log(`\nAPI: ${outputs.apiUrl}\n  try: curl ${outputs.apiUrl}/health`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
