import * as z from "zod";
import { maintenanceStepNames } from "../maintenance.js";
import { listOf } from "./list.js";

export const stepParams = z.object({ name: z.string().min(1).max(100) });
export const stepChangeBody = z.object({ enabled: z.boolean() }).strict();

export const startRunBody = z
  .object({
    /** Local stage only: rehearse a run that fails at this step. */
    failAt: z
      .string()
      .refine((name) => (maintenanceStepNames as readonly string[]).includes(name), {
        message: `not a maintenance step (known: ${maintenanceStepNames.join(", ")})`,
      })
      .optional(),
  })
  .strict()
  .optional();

export const stepSchema = z
  .strictObject({
    name: z.string(),
    description: z.string(),
    order: z.number().int(),
    enabled: z.boolean(),
    /** Where `enabled` comes from: the deployed configuration, or a runtime override. */
    source: z.enum(["config", "override"]),
  })
  .meta({ id: "MaintenanceStep" });

export const stepListSchema = listOf(stepSchema).meta({ id: "MaintenanceStepList" });

export const startedRunSchema = z
  .strictObject({
    runId: z.string(),
    eventId: z.string(),
    executionArn: z.string().nullable(),
    duplicate: z.boolean(),
  })
  .meta({ id: "MaintenanceRun" });

export const eventsQuery = z.object({
  topic: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});

export const eventSchema = z
  .strictObject({
    id: z.string(),
    topic: z.string(),
    status: z.enum(["pending", "in_progress", "finished", "failed"]),
    description: z.string(),
    /** A maintenance run's event holds `steps: [{ step, status, details }]` and, when it failed, `error`. */
    payload: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Event" });

export const eventListSchema = listOf(eventSchema).meta({ id: "EventList" });

export type MaintenanceStep = z.infer<typeof stepSchema>;
export type AppEventView = z.infer<typeof eventSchema>;
