import * as z from "zod";
import { listOf } from "./list.js";

/** The scheduler's choices; functions/scheduler/validate.ts holds the same lists (a unit test checks it). */
export const dayMatchingValues = ["or", "and"] as const;
export const missedRunValues = ["latest", "none", "all"] as const;
export const overlapValues = ["allow", "skip"] as const;
export const MAX_CRON_LENGTH = 100;
export const MAX_TIMEZONE_LENGTH = 64;

export const scheduleParams = z.object({ name: z.string().min(1).max(200) });

/** The cron and zone are checked again by the scheduler's own validation (a 400 naming body.cron or body.timezone). */
export const scheduleChangeBody = z
  .object({
    enabled: z.boolean().optional(),
    cron: z.string().min(1).max(MAX_CRON_LENGTH).optional(),
    timezone: z.string().min(1).max(MAX_TIMEZONE_LENGTH).optional(),
    dayMatching: z.enum(dayMatchingValues).optional(),
    missed: z.enum(missedRunValues).optional(),
    overlap: z.enum(overlapValues).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, {
    message: "give at least one of enabled, cron, timezone, dayMatching, missed, overlap",
  });

const nullableTimestamp = z.string().nullable().meta({ description: "ISO 8601 timestamp, or null" });

export const scheduleSchema = z
  .strictObject({
    name: z.string(),
    description: z.string(),
    cron: z.string(),
    timezone: z.string(),
    enabled: z.boolean(),
    dayMatching: z.enum(dayMatchingValues),
    missed: z.enum(missedRunValues),
    overlap: z.enum(overlapValues),
    /** An operator's override is in force for at least one field. */
    overridden: z.boolean(),
    target: z.union([
      z.strictObject({ kind: z.literal("task"), task: z.string(), payload: z.unknown() }),
      z.strictObject({ kind: z.literal("maintenance") }),
    ]),
    nextRunAt: nullableTimestamp,
    lastRunAt: nullableTimestamp,
  })
  .meta({ id: "Schedule" });

export const scheduleListSchema = listOf(scheduleSchema).meta({ id: "ScheduleList" });

export const scheduleRunSchema = z
  .union([
    z.strictObject({
      schedule: z.string(),
      kind: z.literal("task"),
      taskId: z.string(),
      status: z.string(),
      idempotencyKey: z.string(),
    }),
    z.strictObject({ schedule: z.string(), kind: z.literal("maintenance"), runId: z.string(), eventId: z.string() }),
  ])
  .meta({ id: "ScheduleRun" });

export type Schedule = z.infer<typeof scheduleSchema>;
