import { apiRoutes } from "../../contracts/api/routes.js";
import { onePage } from "../../contracts/api/list.js";
import type { Verifier } from "../../core/auth/verifier.js";
import { json } from "../../core/http/responses.js";
import { defineRoute, type Route } from "../../core/http/route.js";
import { queueStats, redriveDeadLetters, taskDepsFromEnv, type TaskDeps } from "../../tasks/index.js";

/** Tests hand in their own task dependencies and token verifier; deployed code reads both from the environment. */
export function queueRoutesWith(deps: () => TaskDeps = taskDepsFromEnv, verifier?: () => Promise<Verifier>): Route[] {
  const queuesRoute = defineRoute({
    ...apiRoutes.listQueues,
    verifier,
    handle: async () => json(200, onePage(await queueStats(deps()))),
  });

  const redriveRoute = defineRoute({
    ...apiRoutes.redriveQueue,
    verifier,
    // 202: the tasks are queued again and run later; an unknown queue name is a 404 (findQueue).
    handle: async ({ params }) => json(202, await redriveDeadLetters(deps(), params.name)),
  });

  return [queuesRoute, redriveRoute];
}

export const queueRoutes = queueRoutesWith();
