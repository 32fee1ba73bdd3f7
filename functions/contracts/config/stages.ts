import type { ConfigInput, Stage } from "./schema.js";

/**
 * The values of each stage. Everything not named here takes the schema's default,
 * so a stage says only where it differs.
 */
export const stages: Record<Stage, ConfigInput> = {
  prod: {
    stage: "prod",
    queues: {
      default: { maxConcurrency: 10, workerTimeoutSeconds: 120, visibilityTimeoutSeconds: 720 },
      reports: { maxConcurrency: 2, workerTimeoutSeconds: 300, visibilityTimeoutSeconds: 1800, workerMemoryMb: 1024 },
    },
  },
  local: {
    stage: "local",
    logLevel: "DEBUG",
    queues: {
      // Short limits keep failure and retry tests quick on a laptop.
      default: { maxConcurrency: 2, maxReceiveCount: 5, workerTimeoutSeconds: 10, visibilityTimeoutSeconds: 60 },
      reports: { maxConcurrency: 1, maxReceiveCount: 3, workerTimeoutSeconds: 30, visibilityTimeoutSeconds: 180 },
    },
    // Small limits let the tests see an oversize upload rejected and a signed link expire without long waits.
    media: { maxUploadBytes: 1024 * 1024, urlTtlSeconds: 20 },
  },
};
