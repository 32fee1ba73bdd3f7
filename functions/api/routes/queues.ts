import { z } from "zod";
import { NotFoundError } from "../../core/errors.js";
import { json } from "../../core/http/responses.js";
import { defineRoute } from "../../core/http/route.js";
import { queueStats, redriveDeadLetters, taskDepsFromEnv } from "../../tasks/index.js";

export const queuesRoute = defineRoute({
  method: "GET",
  path: "/queues",
  auth: "admin",
  handle: async () => json(200, { queues: await queueStats(taskDepsFromEnv()) }),
});

export const redriveRoute = defineRoute({
  method: "POST",
  path: "/queues/{name}/redrive",
  auth: "admin",
  params: z.object({ name: z.string().min(1) }),
  handle: async ({ params }) => {
    const deps = taskDepsFromEnv();
    if (!deps.queues[params.name]) throw new NotFoundError(`No queue named "${params.name}"`);
    return json(202, await redriveDeadLetters(deps, params.name));
  },
});

export const queueRoutes = [queuesRoute, redriveRoute];
