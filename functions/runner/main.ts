import { Metrics } from "@aws-lambda-powertools/metrics";
import { extname, dirname, join } from "node:path";
import {
  configVariables,
  ecsAgentVariables,
  isBound,
  readVariables,
  workerVariables,
} from "../contracts/environment.js";
import { hardLimitSeconds, taskLimits } from "../contracts/task-limits.js";
import { ensureEnvironment } from "../core/environment-check.js";
import { logger } from "../core/logger.js";
import { taskDepsFromEnv } from "../tasks/deps.js";
import { taskServicesFromEnv } from "../tasks/services.js";
import { scaleInProtection } from "./protection.js";
import { Runner } from "./runner.js";

/**
 * A container queue's runner process: the ECS task's command in prod (node main.mjs), a host process
 * started by `local:up` locally (tsx functions/runner/main.ts). SIGTERM stops it gracefully (Runner.stop).
 */
ensureEnvironment("runner");
const { GROUNDCREW_CONFIG: config } = readVariables(configVariables);
const { GROUNDCREW_WORKER_QUEUE: queue } = readVariables(workerVariables);
const settings = Object.hasOwn(config.queues, queue) ? config.queues[queue] : undefined;
if (settings?.runtime !== "container") throw new Error(`Queue "${queue}" is not a container queue`);

// The attempt's process is the script beside this one, in the same form: child.ts next to main.ts, child.mjs in the image.
const script = process.argv[1] ?? "";
const child = { path: join(dirname(script), `child${extname(script)}`) };

// In ECS, the container agent's endpoint; locally there is none (and nothing scales in).
const agentUri = isBound(ecsAgentVariables) ? readVariables(ecsAgentVariables).ECS_AGENT_URI : undefined;
const longestMinutes = Math.max(
  60,
  ...taskLimits.filter((task) => task.queue === queue).map((task) => hardLimitSeconds(task) / 60),
);

const runner = new Runner(
  {
    deps: { ...taskDepsFromEnv(), services: taskServicesFromEnv() },
    queue,
    leaseSeconds: settings.visibilityTimeoutSeconds,
    child,
    logger,
    metrics: new Metrics({ namespace: "Groundcrew", serviceName: "runner", defaultDimensions: { queue } }),
  },
  {
    concurrency: settings.container.concurrency,
    stopTimeoutSeconds: settings.container.stopTimeoutSeconds,
    protection: scaleInProtection(agentUri, longestMinutes + 5, logger),
  },
);
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void runner.stop());
void runner.run().then(() => process.exit(0));
