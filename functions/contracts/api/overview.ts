import * as z from "zod";
import { eventSchema } from "./maintenance.js";
import { queueSchema } from "./queues.js";

/** One queue on the console's first page: the queue's counters plus how long its oldest due task has waited. */
export const queueOverviewSchema = queueSchema
  .extend({
    /** Seconds since the oldest queued or retrying task became due; null when nothing waits. */
    oldestAgeSeconds: z.number().int().nullable(),
  })
  .meta({ id: "QueueOverview" });

/** What GET /overview answers: the operator console's first page in one call. */
export const overviewSchema = z
  .strictObject({
    generatedAt: z.string(),
    queues: z.array(queueOverviewSchema),
    /** Tasks created in the last hour, counted by their status now. */
    tasksLastHour: z.record(z.string(), z.number().int()),
    /** Enabled schedules, soonest first. */
    nextRuns: z.array(
      z.strictObject({ name: z.string(), cron: z.string(), timezone: z.string(), nextRunAt: z.string() }),
    ),
    /** The newest `server.maintenance` event, running or ended; null before the first run. */
    lastMaintenance: eventSchema.nullable(),
  })
  .meta({ id: "Overview" });

export const purgeResultSchema = z
  .strictObject({ queue: z.string(), purged: z.literal(true) })
  .meta({ id: "PurgeResult" });

export type Overview = z.infer<typeof overviewSchema>;
export type QueueOverview = z.infer<typeof queueOverviewSchema>;
