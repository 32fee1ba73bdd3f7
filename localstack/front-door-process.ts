import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LocalOutputs } from "./deploy.js";
import { localDir, outputsFile, repoRoot } from "./env.js";
import { HEALTH_PATH } from "./front-door.js";
import { answers, logFile, runningPid, startDetached, stopProcess, waitFor } from "./processes.js";

export const FRONT_DOOR = "front-door";
export const frontDoorPort = Number(process.env.GROUNDCREW_FRONT_DOOR_PORT ?? 4568);
export const frontDoorUrl = `http://127.0.0.1:${frontDoorPort}`;
/** Where the console's build goes for the local front door to serve at /console/. */
export const localConsoleDir = join(localDir, "console");

/** The static bucket's base URL on the emulator (path style), from the deploy's outputs. */
export function staticBaseUrl(outputs: LocalOutputs): string {
  const bucket = outputs.StaticBucketName;
  if (!bucket) throw new Error("front door: the stack outputs name no StaticBucketName");
  return `${outputs.endpoint.replace(/\/+$/, "")}/${bucket}`;
}

/**
 * (Re)starts the local front door for this deploy (its API id may have changed), then adds
 * `frontDoorUrl` to the outputs and rewrites outputs.json with it. A port held by something else
 * (another stack's front door) is reported and skipped: the rest of the stack works without it.
 */
export async function startFrontDoor(outputs: LocalOutputs, log: (line: string) => void): Promise<LocalOutputs> {
  await stopProcess(FRONT_DOOR);
  if (await answers(`${frontDoorUrl}${HEALTH_PATH}`)) {
    log(`front door: port ${frontDoorPort} is taken by another stack's; set GROUNDCREW_FRONT_DOOR_PORT`);
    return outputs;
  }
  startDetached({
    name: FRONT_DOOR,
    command: process.execPath,
    args: [
      "--import",
      "tsx",
      join(repoRoot, "localstack", "front-door.ts"),
      "--port",
      String(frontDoorPort),
      "--api",
      outputs.apiUrl,
      "--static",
      staticBaseUrl(outputs),
      "--console-dir",
      localConsoleDir,
    ],
  });
  try {
    await waitFor(
      "front door",
      async () => {
        // Gone already (a port taken meanwhile, a bad argument): say so now rather than after the deadline.
        if (runningPid(FRONT_DOOR) === undefined) throw new Error(`it exited; see ${logFile(FRONT_DOOR)}`);
        return answers(`${frontDoorUrl}${HEALTH_PATH}`);
      },
      20_000,
      logFile(FRONT_DOOR),
    );
  } catch (error) {
    await stopProcess(FRONT_DOOR);
    log(`front door: not started (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
    return outputs;
  }
  log(`front door on ${frontDoorUrl} (console from ${localConsoleDir})`);
  const withDoor: LocalOutputs = { ...outputs, frontDoorUrl };
  writeFileSync(outputsFile, `${JSON.stringify(withDoor, null, 2)}\n`);
  return withDoor;
}

export async function stopFrontDoor(): Promise<boolean> {
  return stopProcess(FRONT_DOOR);
}
