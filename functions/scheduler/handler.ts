import middy from "@middy/core";
import { runtimeConfiguration } from "../core/config/runtime.js";
import { ensureEnvironment } from "../core/environment-check.js";
import { logger } from "../core/logger.js";
import { ConflictError } from "../core/errors.js";
import { maintenanceDepsFromEnv, startMaintenanceRun } from "../maintenance/start.js";
import { reconcileTasks, releaseScheduledTasks, staleAfterByQueue, taskDepsFromEnv } from "../tasks/index.js";
import { tick, type TickReport } from "./dispatch.js";
import { enqueueSlotTasks } from "./enqueue-slots.js";
import { periodicEntries } from "./periodic.js";

/** Wake-ups sent per beat at most, so a tick stays short however many tasks lost their message. */
const RECONCILE_PER_TICK = 200;

/** The target of the app's single EventBridge schedule: one beat per invocation, however they overlap. */
export const handler = middy().handler(
  async (_event: unknown, context: { getRemainingTimeInMillis(): number }): Promise<TickReport> => {
    ensureEnvironment("dispatcher");
    const config = runtimeConfiguration();
    const tasks = taskDepsFromEnv();
    return tick({
      db: tasks.db,
      now: () => new Date(),
      entries: periodicEntries(config),
      maxCatchUpMinutes: config.scheduler.maxCatchUpMinutes,
      logger,
      enqueue: enqueueSlotTasks(tasks, { maxPayloadBytes: config.api.maxTaskPayloadBytes }),
      // A tick starts only what it can finish; the rest is due again at the next tick.
      remainingMs: () => context.getRemainingTimeInMillis(),
      startMaintenance: async (runKey) => {
        try {
          await startMaintenanceRun(maintenanceDepsFromEnv(), { trigger: "schedule", runKey });
        } catch (error) {
          // Someone started a run by hand: today's is covered.
          if (!(error instanceof ConflictError)) throw error;
          logger.info("Maintenance already in progress; the scheduled start is skipped", { runKey });
        }
      },
      // Each beat also wakes tasks whose message is overdue (lost, purged, expired, or an emulator
      // restart): the task row decides, SQS only carries wake-ups, and the claim makes a spare one harmless.
      releaseScheduled: async () =>
        (await releaseScheduledTasks(tasks)) +
        (
          await reconcileTasks(tasks, {
            limit: RECONCILE_PER_TICK,
            staleAfterSeconds: staleAfterByQueue(config.queues),
          })
        ).woken,
    });
  },
);
