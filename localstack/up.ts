import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../functions/contracts/config/load.js";
import { parseCommandLine, runCommand } from "./cli.js";
import { ensureDataApi } from "./data-api-process.js";
import {
  changedInputs,
  deployFingerprint,
  deployPaths,
  forgetFingerprint,
  saveFingerprint,
  savedFingerprint,
  type Fingerprint,
} from "./deploy-fingerprint.js";
import { bootstrapOnce, deployLocalStack, type LocalOutputs } from "./deploy.js";
import { ensureEmulator } from "./emulator.js";
import { startFrontDoor } from "./front-door-process.js";
import { dataApiUrl, dataApiUrlForFunctions, emulatorEndpoint, localDir, outputsFile, repoRoot } from "./env.js";
import { resyncLiveSwapped } from "./live-swapped.js";
import { stackIsDeployed } from "./stack-status.js";
import { containerQueues, runnerPid, startRunners } from "./runner-process.js";
import { buildConsole } from "../console/build.js";

const stackName = "groundcrew-local";

/**
 * `npm run local:up`: emulator, Data API stand-in, CDK bootstrap, deploy of the local stage, and a
 * runner per container queue (functions/runner, as a host process: no Docker needed).
 * Idempotent: what already runs is reused, and when nothing the deploy reads has changed since the
 * last successful one (deploy-fingerprint.ts) and the stack is still there, `cdk deploy` is skipped:
 * seconds instead of a minute. `force` deploys anyway.
 */
export async function localUp(options: { quiet?: boolean; force?: boolean } = {}): Promise<LocalOutputs> {
  const started = Date.now();
  const step = (message: string) => {
    if (!options.quiet) console.log(`[local:up ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}`);
  };
  step(`emulator on ${emulatorEndpoint}`);
  const emulator = await ensureEmulator();
  step(
    emulator.external
      ? "emulator: using the one already running"
      : `emulator: ${emulator.kind} ready (pid ${emulator.pid})`,
  );
  step(`data API stand-in on ${dataApiUrl}`);
  await ensureDataApi();
  step("cdk bootstrap");
  // An emulator we started is named by its pid (a restarted one has lost everything); one started
  // elsewhere only by its address, and bootstrapOnce asks it whether the bootstrap stack is still there.
  const bootstrapped = await bootstrapOnce(
    emulator.external ? `external:${emulatorEndpoint}` : `${emulator.kind}:${emulator.pid}`,
  );
  step(bootstrapped ? "bootstrapped" : "already bootstrapped");

  const fingerprint = currentFingerprint(emulator.external);
  let outputs: LocalOutputs;
  const unchanged = options.force ? undefined : await unchangedDeploy(fingerprint);
  if (unchanged) {
    step("cdk deploy skipped: nothing it reads changed since the last deploy (npm run local:up -- --force deploys)");
    outputs = unchanged;
  } else {
    const changed = changedInputs(savedFingerprint(localDir), fingerprint);
    const why = options.force
      ? "--force"
      : changed.length > 0
        ? `changed: ${changed.slice(0, 5).join(", ")}${changed.length > 5 ? ` and ${changed.length - 5} more` : ""}`
        : "no deploy of these inputs on this emulator yet";
    step(`cdk deploy (stage=local; ${why})`);
    forgetFingerprint(localDir);
    outputs = await deployLocalStack(options.quiet ?? false);
    saveFingerprint(localDir, fingerprint);
  }
  // Live code may have swapped functions since: upload what the sources build to now, as a deploy would.
  const resynced = await resyncLiveSwapped(stackName);
  if (resynced.length > 0) step(`code swapped by live code uploaded again from the sources: ${resynced.join(", ")}`);

  // The operator console, rebuilt each time (about 0.1 s) so the front door serves the current sources.
  const consoleBuild = await buildConsole(join(localDir, "console"));
  step(
    `console built into ${consoleBuild.outDir} (app.js ${consoleBuild.sizes["app.js"]} B, app.css ${consoleBuild.sizes["app.css"]} B)`,
  );
  // One origin for the console and the API, as CloudFront is in prod; adds frontDoorUrl to the outputs.
  outputs = await startFrontDoor(outputs, step);
  // Container queues' runners: host processes here, restarted so they run this deploy's code and settings;
  // after a skipped deploy, runners still running already do (the fingerprint covers their sources).
  const running = containerQueues().map((queue) => [queue, runnerPid(queue)] as const);
  if (unchanged && running.every(([, pid]) => pid !== undefined)) {
    for (const [queue, pid] of running) step(`runner of the ${queue} queue still running (pid ${pid})`);
  } else {
    const runners = await startRunners(outputs);
    for (const [queue, pid] of Object.entries(runners)) step(`runner of the ${queue} queue (pid ${pid})`);
  }
  step(`ready; outputs in ${outputsFile}`);
  return outputs;
}

/** The fingerprint of this deploy's inputs: the files, and everything else `cdk deploy` is given. */
function currentFingerprint(externalEmulator: boolean): Fingerprint {
  const bootstrapped = join(localDir, "bootstrapped");
  // ministack's pid names its run (a restarted one has lost the stack); an emulator started elsewhere has no
  // such name, and DescribeStacks alone says whether it still holds the stack.
  const emulatorIdentity = externalEmulator
    ? "external"
    : existsSync(bootstrapped)
      ? readFileSync(bootstrapped, "utf8")
      : "";
  return deployFingerprint({
    root: repoRoot,
    paths: deployPaths,
    facts: {
      emulator: emulatorIdentity,
      endpoint: emulatorEndpoint,
      dataApiUrl: dataApiUrlForFunctions,
      config: JSON.stringify(loadConfig("local")),
    },
  });
}

/** The outputs of the last deploy when it is still what would be deployed and the stack still exists; else undefined. */
async function unchangedDeploy(fingerprint: Fingerprint): Promise<LocalOutputs | undefined> {
  if (savedFingerprint(localDir)?.digest !== fingerprint.digest || !existsSync(outputsFile)) return undefined;
  if (!(await stackIsDeployed(stackName))) return undefined;
  const outputs = JSON.parse(readFileSync(outputsFile, "utf8")) as LocalOutputs;
  return outputs.stackName === stackName && outputs.endpoint === emulatorEndpoint ? outputs : undefined;
}

const usage = `usage: npm run local:up [-- --force]
  starts the emulator and the Data API stand-in, and deploys the local stack when anything it is
  built from changed since the last deploy
  --force   deploy even when nothing changed`;

if (import.meta.url === `file://${process.argv[1]}`) {
  await runCommand(usage, async () => {
    const { values } = parseCommandLine({ usage, args: { options: { force: { type: "boolean" } } } });
    const outputs = await localUp({ force: values.force === true });
    console.log(`\nAPI: ${outputs.apiUrl}\n  try: curl ${outputs.apiUrl}/health`);
  });
}
