import { join } from "node:path";
import { loadConfig } from "../functions/contracts/config/load.js";
import type { Config } from "../functions/contracts/config/schema.js";
import type { VariablesOf } from "../functions/contracts/environment.js";
import type {
  configVariables,
  queueVariables,
  runtimeVariables,
  workerVariables,
} from "../functions/contracts/environment.js";
import { queueOutputKeys } from "../functions/contracts/queue-outputs.js";
import { appVersion } from "../infra/paths.js";
import type { LocalOutputs } from "./deploy.js";
import { awsLocalEnv, dataApiUrlForFunctions, localDatabase, repoRoot } from "./env.js";
import { logFile, runningPid, startDetached, stopProcess } from "./processes.js";

/** The process name (pid file, log file .local/logs/runner-<queue>.log) of a container queue's runner. */
export const runnerName = (queue: string) => `runner-${queue}`;

/** The container queues of the local stage: `local:up` runs one runner for each as a host process. */
export function containerQueues(config: Config = loadConfig("local")): string[] {
  return Object.entries(config.queues)
    .filter(([, queue]) => queue.runtime === "container")
    .map(([name]) => name);
}

/**
 * What ECS gives a runner in prod (ContainerQueue's container environment), for a host process:
 * the same bindings, with the emulator's queue URLs from the deploy's outputs and the Data API
 * stand-in's address.
 */
export function runnerEnvironment(queue: string, outputs: LocalOutputs, config: Config): Record<string, string> {
  const queues = Object.fromEntries(
    Object.keys(config.queues).map((name) => {
      const keys = queueOutputKeys(name);
      return [name, { url: outputs[keys.url] ?? "", deadLetterUrl: outputs[keys.deadLetterUrl] ?? "" }];
    }),
  );
  const variables: VariablesOf<typeof configVariables> &
    VariablesOf<typeof runtimeVariables> &
    VariablesOf<typeof queueVariables> &
    VariablesOf<typeof workerVariables> = {
    GROUNDCREW_CONFIG: JSON.stringify(config),
    GROUNDCREW_STAGE: "local",
    GROUNDCREW_VERSION: appVersion,
    GROUNDCREW_FUNCTION: "runner",
    POWERTOOLS_SERVICE_NAME: `${config.app}-runner-${queue}`,
    POWERTOOLS_LOG_LEVEL: config.logLevel,
    GROUNDCREW_QUEUES: JSON.stringify(queues),
    GROUNDCREW_WORKER_QUEUE: queue,
  };
  return {
    ...awsLocalEnv(),
    ...localDatabase,
    AWS_ENDPOINT_URL_RDS_DATA: dataApiUrlForFunctions,
    ...(variables as Record<string, string>),
  };
}

/** Starts (or restarts, so a new deploy's settings apply) one runner per container queue; returns their pids. */
export async function startRunners(outputs: LocalOutputs): Promise<Record<string, number>> {
  const config = loadConfig("local");
  const pids: Record<string, number> = {};
  for (const queue of containerQueues(config)) {
    await stopRunner(queue, config);
    pids[queue] = startDetached({
      name: runnerName(queue),
      command: process.execPath,
      args: ["--import", "tsx", join(repoRoot, "functions", "runner", "main.ts")],
      env: runnerEnvironment(queue, outputs, config),
    });
  }
  return pids;
}

/** SIGTERM, then as long as the runner's stop timeout to release its tasks, then SIGKILL. */
export async function stopRunner(queue: string, config: Config = loadConfig("local")): Promise<boolean> {
  const stopMs = (config.queues[queue]?.container.stopTimeoutSeconds ?? 10) * 1000;
  return stopProcess(runnerName(queue), stopMs + 3000);
}

export async function stopRunners(): Promise<string[]> {
  const stopped: string[] = [];
  for (const queue of containerQueues()) if (await stopRunner(queue)) stopped.push(queue);
  return stopped;
}

export const runnerPid = (queue: string) => runningPid(runnerName(queue));
export const runnerLog = (queue: string) => logFile(runnerName(queue));
