import { apiRoutes } from "../../contracts/api/routes.js";
import type { Verifier } from "../../core/auth/verifier.js";
import { runtimeConfiguration } from "../../core/config/runtime.js";
import { json } from "../../core/http/responses.js";
import { defineRoute, type Route } from "../../core/http/route.js";
import { overview, purgeDeadLetters, type OverviewDeps } from "../../console/overview.js";
import { periodicEntries } from "../../scheduler/periodic.js";
import { taskDepsFromEnv } from "../../tasks/index.js";

function overviewDepsFromEnv(): OverviewDeps {
  return { tasks: taskDepsFromEnv(), entries: periodicEntries(runtimeConfiguration()) };
}

/**
 * What the operator console reads and does that no other route offered: the overview page in one
 * call, and purging a queue's dead letters (the console asks for a confirmation first). Admins only.
 */
export function overviewRoutesWith(
  deps: () => OverviewDeps = overviewDepsFromEnv,
  verifier?: () => Promise<Verifier>,
): Route[] {
  const overviewRoute = defineRoute({
    ...apiRoutes.overview,
    verifier,
    handle: async () => json(200, await overview(deps())),
  });

  const purgeRoute = defineRoute({
    ...apiRoutes.purgeQueue,
    verifier,
    handle: async ({ params }) => json(200, await purgeDeadLetters(deps().tasks, params.name)),
  });

  return [overviewRoute, purgeRoute];
}

export const overviewRoutes = overviewRoutesWith();
