import * as z from "zod";
import type { Verifier } from "../../core/auth/verifier.js";
import { runtimeConfiguration } from "../../core/config/runtime.js";
import type { Config } from "../../contracts/config/schema.js";
import { database, type Database } from "../../core/db/database.js";
import { json } from "../../core/http/responses.js";
import { defineRoute, type Route } from "../../core/http/route.js";
import { listEvents } from "../../events/events.js";
import { maintenanceDepsFromEnv, startMaintenanceRun, type MaintenanceDeps } from "../../maintenance/start.js";
import { stepNames } from "../../maintenance/steps/index.js";
import { setStepEnabled, stepSwitches } from "../../maintenance/switches.js";

/** What the operational routes reach; tests hand in their own, deployed code reads the environment. */
export interface OperationsDeps {
  db: () => Database;
  config: () => Config;
  maintenance: () => MaintenanceDeps;
  verifier?: () => Promise<Verifier>;
}

const fromEnv: OperationsDeps = {
  db: () => database(),
  config: () => runtimeConfiguration(),
  maintenance: () => maintenanceDepsFromEnv(),
};

/**
 * Maintenance switches, runs and the event log. All of them are for operators (admin role):
 * the event log shows maintenance runs, stuck-work warnings and dead-letter counts across every user.
 */
export function maintenanceRoutesWith(deps: OperationsDeps = fromEnv): Route[] {
  const { verifier } = deps;
  const listStepsRoute = defineRoute({
    method: "GET",
    path: "/maintenance/steps",
    auth: "admin",
    verifier,
    handle: async () => json(200, { steps: await stepSwitches(deps.db(), deps.config()) }),
  });

  const patchStepRoute = defineRoute({
    method: "PATCH",
    path: "/maintenance/steps/{name}",
    auth: "admin",
    verifier,
    params: z.object({ name: z.string().min(1).max(100) }),
    body: z.object({ enabled: z.boolean() }).strict(),
    handle: async ({ params, body, principal }) => {
      await setStepEnabled(deps.db(), params.name, body.enabled, principal?.sub);
      return json(
        200,
        (await stepSwitches(deps.db(), deps.config())).find((s) => s.name === params.name),
      );
    },
  });

  const startRunRoute = defineRoute({
    method: "POST",
    path: "/maintenance/runs",
    auth: "admin",
    verifier,
    body: z
      .object({
        /** Local stage only: rehearse a run that fails at this step. */
        failAt: z
          .string()
          .refine((name) => stepNames.includes(name), {
            message: `not a maintenance step (known: ${stepNames.join(", ")})`,
          })
          .optional(),
      })
      .strict()
      .optional(),
    handle: async ({ body }) => {
      const failAt = deps.config().stage === "local" ? body?.failAt : undefined;
      const run = await startMaintenanceRun(deps.maintenance(), { trigger: "api", failAt });
      return json(202, run);
    },
  });

  const listEventsRoute = defineRoute({
    method: "GET",
    path: "/events",
    auth: "admin",
    verifier,
    query: z.object({
      topic: z.string().min(1).max(200).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(20),
    }),
    handle: async ({ query }) => json(200, { events: await listEvents(deps.db(), query) }),
  });

  return [listStepsRoute, patchStepRoute, startRunRoute, listEventsRoute];
}

export const maintenanceRoutes = maintenanceRoutesWith();
