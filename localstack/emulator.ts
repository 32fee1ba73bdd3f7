import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { emulatorEndpoint, localDir, localRegion, repoRoot, venvDir } from "./env.js";
import { answers, logFile, runningPid, startDetached, stopProcess, waitFor } from "./processes.js";
import { sdkNoticeSwitches } from "./log-filters.js";

export const EMULATOR = "emulator";
const healthUrl = `${emulatorEndpoint}/_localstack/health`;

/** Which emulator `local:up` starts when none answers: ministack (the default) or the real LocalStack in host mode. */
export type EmulatorKind = "ministack" | "localstack";
export const emulatorKind: EmulatorKind = process.env.GROUNDCREW_EMULATOR === "localstack" ? "localstack" : "ministack";

/** LocalStack's own virtualenv (localstack/localstack-venv.mjs), kept apart from ministack's. */
export const localStackVenvDir = process.env.GROUNDCREW_LOCALSTACK_VENV ?? join(repoRoot, ".local", "venv-localstack");
/** The name our executor plugin is registered under (localstack/host-executor/pyproject.toml). */
export const HOST_EXECUTOR = "groundcrew-host";

export interface EmulatorState {
  /** True when something else (a LocalStack container, a ministack you started) already answered. */
  external: boolean;
  pid?: number;
  kind: EmulatorKind;
}

interface EmulatorLaunch {
  command: string;
  env: Record<string, string>;
  readyWithinMs: number;
}

function ministackLaunch(url: URL): EmulatorLaunch {
  return {
    command: join(venvDir, "bin", "ministack"),
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
    readyWithinMs: 60_000,
  };
}

/** Where LocalStack keeps its state, all under the local dir. */
export interface LocalStackDirs {
  filesystem: string;
  volume: string;
  /** Function code is unzipped under the temp dir. */
  tmp: string;
}

/**
 * The real LocalStack (localstack-core 2026.3.0, the last release without an auth token) as a host
 * process: no Docker, loopback only, nothing fetched from the internet, state under the local dir.
 */
export function localStackEnv(url: URL, dirs: LocalStackDirs): Record<string, string> {
  const hostPort = `127.0.0.1:${url.port || "4566"}`;
  return {
    GATEWAY_LISTEN: hostPort,
    // The default server binds every interface whatever GATEWAY_LISTEN says.
    GATEWAY_SERVER: "hypercorn",
    // Else it binds port 53.
    DNS_ADDRESS: "0",
    // These machines carry a Docker marker file at the root; LocalStack would think it runs in a container.
    OVERRIDE_IN_DOCKER: "0",
    // URLs it hands out (queue URLs) must name this loopback address: localhost.localstack.cloud does not resolve here.
    LOCALSTACK_HOST: hostPort,
    SQS_ENDPOINT_STRATEGY: "path",
    // It skips S3 signature checks by default: presigned URLs would work tampered with or expired.
    S3_SKIP_SIGNATURE_VALIDATION: "0",
    PERSISTENCE: "0",
    // Functions run as host processes through localstack/host-executor instead of Docker.
    LAMBDA_RUNTIME_EXECUTOR: HOST_EXECUTOR,
    // Two shared cores: a cold Node start can take longer than the default 20 s.
    LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT: "60",
    // Its SQS event source mappings poll one batch at a time and then wait this long (default 1 s),
    // and up to 10 s after an empty poll: a queue would drain at under one message a second.
    LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC: "0.05",
    LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC: "1",
    // Every concurrent invoke gets its own host process (about 85 MB each): let idle ones go after 2 minutes, not 10.
    LAMBDA_KEEPALIVE_MS: "120000",
    // Custom resources run our handlers (migrations included) through the host executor: give them time.
    CFN_PER_RESOURCE_TIMEOUT: "900",
    // No download of its TLS certificate, no analytics: nothing leaves loopback.
    SKIP_SSL_CERT_DOWNLOAD: "1",
    DISABLE_EVENTS: "1",
    // CDK's own Node custom-resource handlers expect the AWS SDK from the runtime; give them ours.
    NODE_PATH: join(repoRoot, "node_modules"),
    FILESYSTEM_ROOT: dirs.filesystem,
    LOCALSTACK_VOLUME_DIR: dirs.volume,
    // Function code is unzipped under the temp dir.
    TMPDIR: dirs.tmp,
  };
}

function localStackLaunch(url: URL): EmulatorLaunch {
  const stateDir = join(localDir, "localstack");
  const dirs = {
    filesystem: join(stateDir, "filesystem"),
    volume: join(stateDir, "volume"),
    tmp: join(stateDir, "tmp"),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const env = localStackEnv(url, dirs);
  return { command: join(localStackVenvDir, "bin", "python"), env, readyWithinMs: 120_000 };
}

/**
 * Uses whatever LocalStack-compatible endpoint already answers on AWS_ENDPOINT_URL; otherwise starts
 * the emulator GROUNDCREW_EMULATOR chooses (ministack by default) from its virtualenv on loopback.
 */
export async function ensureEmulator(): Promise<EmulatorState> {
  const ours = runningPid(EMULATOR);
  if (await answers(healthUrl)) return { external: ours === undefined, pid: ours, kind: emulatorKind };
  const url = new URL(emulatorEndpoint);
  const launch = emulatorKind === "localstack" ? localStackLaunch(url) : ministackLaunch(url);
  if (!existsSync(launch.command)) {
    const bootstrap =
      emulatorKind === "localstack"
        ? "GROUNDCREW_EMULATOR=localstack node localstack/bootstrap.mjs"
        : "node localstack/bootstrap.mjs";
    throw new Error(
      `No emulator answers on ${emulatorEndpoint} and ${launch.command} is missing: run \`${bootstrap}\``,
    );
  }
  const pid = startDetached({
    name: EMULATOR,
    command: launch.command,
    args: emulatorKind === "localstack" ? ["-m", "localstack.runtime.main"] : [],
    // Functions inherit the emulator's environment: the SDKs' start-up notices stay out of their logs (log-filters.ts).
    env: { ...launch.env, ...sdkNoticeSwitches },
  });
  await waitFor(emulatorKind, () => answers(healthUrl), launch.readyWithinMs, logFile(EMULATOR));
  return { external: false, pid, kind: emulatorKind };
}

export async function stopEmulator(): Promise<boolean> {
  return stopProcess(EMULATOR);
}
