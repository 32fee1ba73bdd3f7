import * as z from "zod";
import { isAdmin } from "../../core/auth/principal.js";
import type { Verifier } from "../../core/auth/verifier.js";
import { runtimeConfiguration } from "../../core/config/runtime.js";
import { NotFoundError, UnauthorizedError } from "../../core/errors.js";
import { json } from "../../core/http/responses.js";
import { defineRoute, type Route } from "../../core/http/route.js";
import {
  cancelTask,
  enqueueTask,
  findTask,
  listTasks,
  retryFailedTask,
  taskDepsFromEnv,
  taskStatuses,
  type EnqueueOptions,
  type EnqueueRequest,
  type EnqueueResult,
  type TaskDeps,
  type TaskRecord,
  enqueueTasks,
} from "../../tasks/index.js";
import type { Principal } from "../../core/auth/principal.js";

const taskId = z.object({ id: z.string().uuid("not a task id") });

/** One task to enqueue, as POST /tasks takes it and each item of POST /tasks/batch. */
const enqueueBody = z
  .object({
    name: z.string().min(1),
    payload: z.unknown(),
    delaySeconds: z
      .number()
      .int()
      .min(0)
      .max(365 * 86_400)
      .optional(),
    runAt: z.iso.datetime({ offset: true }).optional(),
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .refine((b) => !(b.delaySeconds !== undefined && b.runAt !== undefined), {
    message: "give delaySeconds or runAt, not both",
    path: ["runAt"],
  });

/** Tasks per POST /tasks/batch: one multi-row insert and ten SendMessageBatch calls at most. */
export const MAX_BATCH_TASKS = 100;

function enqueueRequest(body: z.infer<typeof enqueueBody>, caller: Principal): EnqueueRequest {
  return {
    name: body.name,
    payload: body.payload,
    delaySeconds: body.delaySeconds,
    runAt: body.runAt ? new Date(body.runAt) : undefined,
    idempotencyKey: body.idempotencyKey,
    caller,
  };
}

/** Callers see their own tasks; admins see all. Someone else's task is "not found", not "forbidden". */
function visibleTo(task: TaskRecord | undefined, principal: Principal | undefined): TaskRecord {
  if (!task || (!isAdmin(principal) && task.createdBy !== principal?.sub)) throw new NotFoundError("No such task");
  return task;
}

/** What the task routes read from their deployment; tests pass their own. */
export interface TaskRouteDeps {
  tasks: () => TaskDeps;
  settings: () => { maxTaskPayloadBytes: number; stage: string };
  verifier?: () => Promise<Verifier>;
}

const deployed: TaskRouteDeps = {
  tasks: () => taskDepsFromEnv(),
  settings: () => {
    const config = runtimeConfiguration();
    return { maxTaskPayloadBytes: config.api.maxTaskPayloadBytes, stage: config.stage };
  },
};

/** The route layer guarantees a principal on non-public routes; this makes the enqueue's caller impossible to drop. */
/** Both enqueue routes answer each task the same way, and apply the deployed limits the same way. */
const answer = ({ id, status, duplicate }: EnqueueResult) => ({ id, status, duplicate });
const enqueueOptions = (settings: ReturnType<TaskRouteDeps["settings"]>): EnqueueOptions => ({
  maxPayloadBytes: settings.maxTaskPayloadBytes,
  stage: settings.stage,
});

function signedIn(principal: Principal | undefined): Principal {
  if (!principal) throw new UnauthorizedError();
  return principal;
}

export function createTaskRoutes(deps: TaskRouteDeps = deployed): Route[] {
  const { verifier } = deps;

  const enqueueTaskRoute = defineRoute({
    method: "POST",
    path: "/tasks",
    body: enqueueBody,
    verifier,
    handle: async ({ body, principal }) => {
      const settings = deps.settings();
      // The caller decides who may start the task, which payload fields come from the token, and the key scope.
      const result = await enqueueTask(
        deps.tasks(),
        enqueueRequest(body, signedIn(principal)),
        enqueueOptions(settings),
      );
      return json(202, answer(result));
    },
  });

  /**
   * Many tasks in one request, all or nothing: each item follows POST /tasks's rules for this
   * caller, and one bad item refuses the batch (naming it by index) before anything is stored.
   * The answer lists the tasks in request order.
   */
  const enqueueBatchRoute = defineRoute({
    method: "POST",
    path: "/tasks/batch",
    body: z.object({ tasks: z.array(enqueueBody).min(1).max(MAX_BATCH_TASKS) }),
    verifier,
    handle: async ({ body, principal }) => {
      const settings = deps.settings();
      const caller = signedIn(principal);
      const requests = body.tasks.map((task) => enqueueRequest(task, caller));
      const results = await enqueueTasks(deps.tasks(), requests, enqueueOptions(settings));
      return json(202, { tasks: results.map(answer) });
    },
  });

  const getTaskRoute = defineRoute({
    method: "GET",
    path: "/tasks/{id}",
    params: taskId,
    verifier,
    handle: async ({ params, principal }) =>
      json(200, visibleTo(await findTask(deps.tasks().db, params.id), principal)),
  });

  const listTasksRoute = defineRoute({
    method: "GET",
    path: "/tasks",
    query: z.object({
      status: z.enum(taskStatuses).optional(),
      name: z.string().min(1).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().min(1).optional(),
    }),
    verifier,
    handle: async ({ query, principal }) => {
      const page = await listTasks(deps.tasks().db, {
        ...query,
        createdBy: isAdmin(principal) ? undefined : principal?.sub,
      });
      return json(200, page);
    },
  });

  const cancelTaskRoute = defineRoute({
    method: "POST",
    path: "/tasks/{id}/cancel",
    params: taskId,
    verifier,
    handle: async ({ params, principal }) => {
      const db = deps.tasks().db;
      visibleTo(await findTask(db, params.id), principal);
      return json(200, await cancelTask(db, params.id));
    },
  });

  const retryTaskRoute = defineRoute({
    method: "POST",
    path: "/tasks/{id}/retry",
    params: taskId,
    verifier,
    handle: async ({ params, principal }) => {
      const tasks = deps.tasks();
      // The same rule as reading it: your own task, or any as an admin; someone else's is 404.
      visibleTo(await findTask(tasks.db, params.id), principal);
      const { task } = await retryFailedTask(tasks, params.id);
      return json(202, task);
    },
  });

  return [enqueueTaskRoute, enqueueBatchRoute, listTasksRoute, getTaskRoute, cancelTaskRoute, retryTaskRoute];
}

/** The deployed API's task routes (dependencies read from the environment on first use). */
export const taskRoutes = createTaskRoutes();
