import { existsSync } from "node:fs";
import { join } from "node:path";
import { emulatorEndpoint, localRegion, repoRoot, venvDir } from "./env.js";
import { answers, logFile, runningPid, startDetached, stopProcess, waitFor } from "./processes.js";

export const EMULATOR = "emulator";
const healthUrl = `${emulatorEndpoint}/_localstack/health`;

export interface EmulatorState {
  /** True when something else (a LocalStack container, a ministack you started) already answered. */
  external: boolean;
  pid?: number;
}

/**
 * Uses whatever LocalStack-compatible endpoint already answers on AWS_ENDPOINT_URL;
 * otherwise starts the pinned ministack from the project's virtualenv on loopback.
 */
export async function ensureEmulator(): Promise<EmulatorState> {
  const ours = runningPid(EMULATOR);
  if (await answers(healthUrl)) return { external: ours === undefined, pid: ours };
  const binary = join(venvDir, "bin", "ministack");
  if (!existsSync(binary)) {
    throw new Error(
      `No emulator answers on ${emulatorEndpoint} and ${binary} is missing: run \`node localstack/bootstrap.mjs\``,
    );
  }
  const url = new URL(emulatorEndpoint);
  const pid = startDetached({
    name: EMULATOR,
    command: binary,
    args: [],
    env: {
      GATEWAY_PORT: url.port || "4566",
      BIND_HOST: "127.0.0.1",
      MINISTACK_HOST: "127.0.0.1",
      MINISTACK_REGION: localRegion,
      // Its MQTT listener otherwise binds every interface.
      IOT_MTLS_ENABLED: "0",
      // CDK's own custom-resource handlers expect the AWS SDK from the runtime; give them ours.
      NODE_PATH: join(repoRoot, "node_modules"),
      PERSIST_STATE: "0",
      LOG_LEVEL: "INFO",
    },
  });
  await waitFor("ministack", () => answers(healthUrl), 60_000, logFile(EMULATOR));
  return { external: false, pid };
}

export async function stopEmulator(): Promise<boolean> {
  return stopProcess(EMULATOR);
}
