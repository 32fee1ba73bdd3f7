import type * as z from "zod";
import { apiRoutes } from "../../contracts/api/routes.js";
import { MAX_BATCH_TASKS, type enqueueBody } from "../../contracts/api/tasks.js";
import { isAdmin } from "../../core/auth/principal.js";
import type { Verifier } from "../../core/auth/verifier.js";
import { runtimeConfiguration } from "../../core/config/runtime.js";
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from "../../core/errors.js";
import { json } from "../../core/http/responses.js";
import { defineRoute, type Route } from "../../core/http/route.js";
import {
  cancelTask,
  enqueueTask,
  findTask,
  listTasks,
  retryFailedTask,
  taskDepsFromEnv,
  type EnqueueOptions,
  type EnqueueRequest,
  type EnqueueResult,
  type TaskDeps,
  type TaskRecord,
  enqueueTasks,
} from "../../tasks/index.js";
import type { Principal } from "../../core/auth/principal.js";

/** Tasks per POST /tasks/batch (the contract's limit, kept here for the tests that import it). */
export { MAX_BATCH_TASKS };

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

/**
 * Whose tasks a list shows. An admin sees everyone's, or one user's with `createdBy` (Flower's
 * "tasks of this worker", by user). Anyone else sees only their own: naming themselves is harmless,
 * naming someone else is a 403 rather than a silent answer about a different user than asked.
 */
function listedCreator(createdBy: string | undefined, principal: Principal | undefined): string | undefined {
  if (isAdmin(principal)) return createdBy;
  const sub = signedIn(principal).sub;
  if (createdBy !== undefined && createdBy !== sub) throw new ForbiddenError("Only admins may list other users' tasks");
  return sub;
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

/**
 * The task's own checks (its name, its payload schema, fields from the token) name fields of the
 * task ("payload.sleepMs", "tasks[3].name"); the answer names them in the request, as the route's
 * schemas do: "body.payload.sleepMs", "body.tasks.3.name".
 */
async function checkedAgainstBody<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      error.message,
      error.fields.map(({ path, message }) => ({
        path: path ? `body.${path.replace(/\[(\d+)\]/g, ".$1")}` : "body",
        message,
      })),
    );
  }
}

export function createTaskRoutes(deps: TaskRouteDeps = deployed): Route[] {
  const { verifier } = deps;

  const enqueueTaskRoute = defineRoute({
    ...apiRoutes.enqueueTask,
    verifier,
    handle: async ({ body, principal }) => {
      const settings = deps.settings();
      // The caller decides who may start the task, which payload fields come from the token, and the key scope.
      const result = await checkedAgainstBody(() =>
        enqueueTask(deps.tasks(), enqueueRequest(body, signedIn(principal)), enqueueOptions(settings)),
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
    ...apiRoutes.enqueueTasks,
    verifier,
    handle: async ({ body, principal }) => {
      const settings = deps.settings();
      const caller = signedIn(principal);
      const requests = body.tasks.map((task) => enqueueRequest(task, caller));
      const results = await checkedAgainstBody(() => enqueueTasks(deps.tasks(), requests, enqueueOptions(settings)));
      return json(202, { tasks: results.map(answer) });
    },
  });

  const getTaskRoute = defineRoute({
    ...apiRoutes.getTask,
    verifier,
    handle: async ({ params, principal }) =>
      json(200, visibleTo(await findTask(deps.tasks().db, params.id), principal)),
  });

  const listTasksRoute = defineRoute({
    ...apiRoutes.listTasks,
    verifier,
    handle: async ({ query, principal }) => {
      const { tasks, nextCursor } = await listTasks(deps.tasks().db, {
        ...query,
        createdBy: listedCreator(query.createdBy, principal),
      });
      return json(200, { items: tasks, nextCursor });
    },
  });

  const cancelTaskRoute = defineRoute({
    ...apiRoutes.cancelTask,
    verifier,
    handle: async ({ params, principal }) => {
      const db = deps.tasks().db;
      visibleTo(await findTask(db, params.id), principal);
      return json(200, await cancelTask(db, params.id));
    },
  });

  const retryTaskRoute = defineRoute({
    ...apiRoutes.retryTask,
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
