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
      // Email notifications (notifications.send), apart so a backlog of reports never delays them.
      notifications: { maxConcurrency: 5, workerTimeoutSeconds: 60, visibilityTimeoutSeconds: 360 },
      // Tasks longer than Lambda's 15 minutes (runtime "container"): up to 4 runners of one task each, a
      // 5-minute lease renewed by each runner's heartbeat while a task runs.
      long: { runtime: "container", maxConcurrency: 4, maxReceiveCount: 5, visibilityTimeoutSeconds: 300 },
    },
  },
  local: {
    stage: "local",
    logLevel: "DEBUG",
    queues: {
      // Short limits keep failure and retry tests quick on a laptop.
      default: { maxConcurrency: 2, maxReceiveCount: 5, workerTimeoutSeconds: 10, visibilityTimeoutSeconds: 60 },
      reports: { maxConcurrency: 1, maxReceiveCount: 3, workerTimeoutSeconds: 30, visibilityTimeoutSeconds: 180 },
      notifications: { maxConcurrency: 2, maxReceiveCount: 3, workerTimeoutSeconds: 30, visibilityTimeoutSeconds: 180 },
      // One host-process runner (local:up) with a 6 s lease and a 4 s stop timeout: the heartbeat and
      // SIGTERM drills see a task outlive its lease several times over in well under a minute.
      long: {
        runtime: "container",
        maxConcurrency: 2,
        maxReceiveCount: 5,
        visibilityTimeoutSeconds: 6,
        container: { concurrency: 2, stopTimeoutSeconds: 4 },
      },
    },
    // Tests make a send fail by adding a member at this domain; the stuck check reacts within minutes.
    notifications: { refusedRecipientDomain: "refused.invalid", stuckAfterMinutes: 5 },
    // Small limits let the tests see an oversize upload rejected and a signed link expire without long waits.
    media: { maxUploadBytes: 1024 * 1024, urlTtlSeconds: 20 },
  },
};
