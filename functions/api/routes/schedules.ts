import { z } from "zod";
import { runtimeConfiguration } from "../../core/config/load.js";
import { database } from "../../core/db/database.js";
import { NotFoundError, ValidationError } from "../../core/errors.js";
import { json } from "../../core/http/responses.js";
import { defineRoute } from "../../core/http/route.js";
import { nextRun, validateSchedule } from "../../scheduler/cron.js";
import { periodicEntries } from "../../scheduler/periodic.js";
import { effectiveSchedules } from "../../scheduler/plan.js";
import { loadState, saveOverride } from "../../scheduler/store.js";

async function schedules() {
  const db = database();
  const state = await loadState(db);
  const now = new Date();
  return effectiveSchedules(periodicEntries(runtimeConfiguration()), state.overrides).map((s) => ({
    name: s.name,
    description: s.description,
    cron: s.cron,
    timezone: s.timezone,
    enabled: s.enabled,
    overridden: s.overridden,
    target: s.target,
    nextRunAt: s.enabled ? (nextRun(s.cron, s.timezone, now)?.toISOString() ?? null) : null,
    lastRunAt: state.lastSlots[s.name] ? new Date(state.lastSlots[s.name] as string).toISOString() : null,
  }));
}

export const listSchedulesRoute = defineRoute({
  method: "GET",
  path: "/schedules",
  auth: "admin",
  handle: async () => json(200, { schedules: await schedules() }),
});

export const patchScheduleRoute = defineRoute({
  method: "PATCH",
  path: "/schedules/{name}",
  auth: "admin",
  params: z.object({ name: z.string().min(1) }),
  body: z
    .object({ enabled: z.boolean().optional(), cron: z.string().min(1).optional(), timezone: z.string().min(1).optional() })
    .strict()
    .refine((b) => Object.keys(b).length > 0, { message: "give at least one of enabled, cron, timezone" }),
  handle: async ({ params, body, principal }) => {
    const current = (await schedules()).find((s) => s.name === params.name);
    if (!current) throw new NotFoundError(`No schedule named "${params.name}"`);
    try {
      validateSchedule(body.cron ?? current.cron, body.timezone ?? current.timezone);
    } catch (error) {
      if (error instanceof ValidationError) throw new ValidationError("Invalid request", error.issues.map((issue) => `body.${issue}`));
      throw error;
    }
    await saveOverride(database(), params.name, body, principal?.sub);
    return json(200, (await schedules()).find((s) => s.name === params.name));
  },
});

export const scheduleRoutes = [listSchedulesRoute, patchScheduleRoute];
