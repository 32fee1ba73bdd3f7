import { z } from "zod";
import { isAdmin } from "../../core/auth/principal.js";
import { runtimeConfiguration } from "../../core/config/load.js";
import { NotFoundError } from "../../core/errors.js";
import { json } from "../../core/http/responses.js";
import { defineRoute } from "../../core/http/route.js";
import { cancelTask, enqueueTask, findTask, listTasks, taskDepsFromEnv, taskStatuses, type TaskRecord } from "../../tasks/index.js";
import type { Principal } from "../../core/auth/principal.js";

const taskId = z.object({ id: z.string().uuid("not a task id") });

/** Callers see their own tasks; admins see all. Someone else's task is "not found", not "forbidden". */
function visibleTo(task: TaskRecord | undefined, principal: Principal | undefined): TaskRecord {
  if (!task || (!isAdmin(principal) && task.createdBy !== principal?.sub)) throw new NotFoundError("No such task");
  return task;
}

export const enqueueTaskRoute = defineRoute({
  method: "POST",
  path: "/tasks",
  body: z
    .object({
      name: z.string().min(1),
      payload: z.unknown(),
      delaySeconds: z.number().int().min(0).max(365 * 86_400).optional(),
      runAt: z.iso.datetime({ offset: true }).optional(),
      idempotencyKey: z.string().min(1).max(200).optional(),
    })
    .refine((b) => !(b.delaySeconds !== undefined && b.runAt !== undefined), { message: "give delaySeconds or runAt, not both", path: ["runAt"] }),
  handle: async ({ body, principal }) => {
    const result = await enqueueTask(
      taskDepsFromEnv(),
      {
        name: body.name,
        payload: body.payload,
        delaySeconds: body.delaySeconds,
        runAt: body.runAt ? new Date(body.runAt) : undefined,
        idempotencyKey: body.idempotencyKey,
        createdBy: principal?.sub,
      },
      { maxPayloadBytes: runtimeConfiguration().api.maxTaskPayloadBytes },
    );
    return json(202, { id: result.id, status: result.status, duplicate: result.duplicate });
  },
});

export const getTaskRoute = defineRoute({
  method: "GET",
  path: "/tasks/{id}",
  params: taskId,
  handle: async ({ params, principal }) => json(200, visibleTo(await findTask(taskDepsFromEnv().db, params.id), principal)),
});

export const listTasksRoute = defineRoute({
  method: "GET",
  path: "/tasks",
  query: z.object({
    status: z.enum(taskStatuses).optional(),
    name: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).optional(),
  }),
  handle: async ({ query, principal }) => {
    const page = await listTasks(taskDepsFromEnv().db, { ...query, createdBy: isAdmin(principal) ? undefined : principal?.sub });
    return json(200, page);
  },
});

export const cancelTaskRoute = defineRoute({
  method: "POST",
  path: "/tasks/{id}/cancel",
  params: taskId,
  handle: async ({ params, principal }) => {
    const db = taskDepsFromEnv().db;
    visibleTo(await findTask(db, params.id), principal);
    return json(200, await cancelTask(db, params.id));
  },
});

export const taskRoutes = [enqueueTaskRoute, listTasksRoute, getTaskRoute, cancelTaskRoute];
