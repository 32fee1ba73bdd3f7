import { onePage } from "../../contracts/api/list.js";
import { apiRoutes } from "../../contracts/api/routes.js";
import type { Verifier } from "../../core/auth/verifier.js";
import { runtimeConfiguration } from "../../core/config/runtime.js";
import type { Config } from "../../contracts/config/schema.js";
import { database, type Database } from "../../core/db/database.js";
import { json } from "../../core/http/responses.js";
import { defineRoute, type Route } from "../../core/http/route.js";
import { listEvents } from "../../events/events.js";
import { maintenanceDepsFromEnv, startMaintenanceRun, type MaintenanceDeps } from "../../maintenance/start.js";
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
    ...apiRoutes.listMaintenanceSteps,
    verifier,
    handle: async () => json(200, onePage(await stepSwitches(deps.db(), deps.config()))),
  });

  const patchStepRoute = defineRoute({
    ...apiRoutes.setMaintenanceStep,
    verifier,
    handle: async ({ params, body, principal }) => {
      await setStepEnabled(deps.db(), params.name, body.enabled, principal?.sub);
      return json(
        200,
        (await stepSwitches(deps.db(), deps.config())).find((s) => s.name === params.name),
      );
    },
  });

  const startRunRoute = defineRoute({
    ...apiRoutes.startMaintenanceRun,
    verifier,
    handle: async ({ body }) => {
      const failAt = deps.config().stage === "local" ? body?.failAt : undefined;
      const run = await startMaintenanceRun(deps.maintenance(), { trigger: "api", failAt });
      return json(202, run);
    },
  });

  const listEventsRoute = defineRoute({
    ...apiRoutes.listEvents,
    verifier,
    handle: async ({ query }) => json(200, onePage(await listEvents(deps.db(), query))),
  });

  return [listStepsRoute, patchStepRoute, startRunRoute, listEventsRoute];
}

export const maintenanceRoutes = maintenanceRoutesWith();
