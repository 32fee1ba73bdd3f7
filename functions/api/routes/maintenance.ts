import { z } from "zod";
import { runtimeConfiguration } from "../../core/config/load.js";
import { database } from "../../core/db/database.js";
import { json } from "../../core/http/responses.js";
import { defineRoute } from "../../core/http/route.js";
import { listEvents } from "../../events/events.js";
import { maintenanceDepsFromEnv, startMaintenanceRun } from "../../maintenance/start.js";
import { setStepEnabled, stepSwitches } from "../../maintenance/switches.js";

export const listStepsRoute = defineRoute({
  method: "GET",
  path: "/maintenance/steps",
  auth: "admin",
  handle: async () => json(200, { steps: await stepSwitches(database(), runtimeConfiguration()) }),
});

export const patchStepRoute = defineRoute({
  method: "PATCH",
  path: "/maintenance/steps/{name}",
  auth: "admin",
  params: z.object({ name: z.string().min(1) }),
  body: z.object({ enabled: z.boolean() }).strict(),
  handle: async ({ params, body, principal }) => {
    await setStepEnabled(database(), params.name, body.enabled, principal?.sub);
    return json(200, (await stepSwitches(database(), runtimeConfiguration())).find((s) => s.name === params.name));
  },
});

export const startRunRoute = defineRoute({
  method: "POST",
  path: "/maintenance/runs",
  auth: "admin",
  body: z
    .object({
      /** Local stage only: rehearse a run that fails at this step. */
      failAt: z.string().min(1).optional(),
    })
    .strict()
    .optional(),
  handle: async ({ body }) => {
    const failAt = runtimeConfiguration().stage === "local" ? body?.failAt : undefined;
    const run = await startMaintenanceRun(maintenanceDepsFromEnv(), { trigger: "api", failAt });
    return json(202, run);
  },
});

export const listEventsRoute = defineRoute({
  method: "GET",
  path: "/events",
  query: z.object({ topic: z.string().min(1).optional(), limit: z.coerce.number().int().min(1).max(200).default(20) }),
  handle: async ({ query }) => json(200, { events: await listEvents(database(), query) }),
});

export const maintenanceRoutes = [listStepsRoute, patchStepRoute, startRunRoute, listEventsRoute];
