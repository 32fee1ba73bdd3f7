import { onePage } from "../../contracts/api/list.js";
import { apiRoutes } from "../../contracts/api/routes.js";
import { isAdmin, type Principal } from "../../core/auth/principal.js";
import type { Verifier } from "../../core/auth/verifier.js";
import { runtimeConfiguration } from "../../core/config/runtime.js";
import { database, type Database } from "../../core/db/database.js";
import { NotFoundError, UnauthorizedError } from "../../core/errors.js";
import { logger } from "../../core/logger.js";
import { json } from "../../core/http/responses.js";
import { defineRoute, type Route } from "../../core/http/route.js";
import { NOTIFICATIONS_SEND_TASK } from "../../contracts/notifications.js";
import { dispatchNotification, type DispatchDeps } from "../../notifications/dispatch.js";
import { mailerFromEnv } from "../../notifications/from-env.js";
import type { AsyncSetting } from "../../notifications/mode.js";
import type { ItemChange } from "../../notifications/notify.js";
import { ProjectRepository, type Project } from "../../notifications/repository.js";
import { enqueueTask, taskDepsFromEnv } from "../../tasks/index.js";

/** What the project routes need; tests give their own database, mailer and enqueue. */
export interface ProjectRouteDeps {
  db: () => Database;
  /** The configuration's `notifications.async`. */
  configured: () => AsyncSetting;
  mailer: DispatchDeps["mailer"];
  enqueue: DispatchDeps["enqueue"];
  verifier?: () => Promise<Verifier>;
}

const deployed: ProjectRouteDeps = {
  db: () => database(),
  configured: () => runtimeConfiguration().notifications.async,
  mailer: () => mailerFromEnv(),
  // The system's task, not the caller's: a member cannot cancel or replay the project's emails through /tasks.
  enqueue: (change) =>
    enqueueTask(taskDepsFromEnv(), { name: NOTIFICATIONS_SEND_TASK, payload: change, createdBy: "notifications" }),
};

function signedIn(principal: Principal | undefined): Principal {
  if (!principal) throw new UnauthorizedError();
  return principal;
}

/**
 * The project if the caller is one of its members, or an admin. Anyone else gets the answer a
 * project that does not exist gets (404, not 403), so ids cannot be probed.
 */
async function visibleProject(repository: ProjectRepository, id: string, caller: Principal): Promise<Project> {
  const project = await repository.visibleProject(id, caller.sub, isAdmin(caller));
  if (!project) throw new NotFoundError("No such project");
  return project;
}

export function createProjectRoutes(deps: ProjectRouteDeps = deployed): Route[] {
  const { verifier } = deps;
  const dispatchDeps = (): DispatchDeps => ({
    db: deps.db(),
    configured: deps.configured(),
    mailer: deps.mailer,
    enqueue: deps.enqueue,
    logger,
  });

  return [
    defineRoute({
      ...apiRoutes.createProject,
      verifier,
      handle: async ({ body, principal }) => {
        const project = await new ProjectRepository(deps.db()).createProject(
          body.name,
          signedIn(principal).sub,
          body.email,
        );
        return json(201, project);
      },
    }),
    defineRoute({
      ...apiRoutes.listProjects,
      verifier,
      handle: async ({ principal }) => {
        const caller = signedIn(principal);
        return json(200, onePage(await new ProjectRepository(deps.db()).listProjects(caller.sub, isAdmin(caller))));
      },
    }),
    defineRoute({
      ...apiRoutes.getProject,
      verifier,
      handle: async ({ params, principal }) => {
        const repository = new ProjectRepository(deps.db());
        const project = await visibleProject(repository, params.id, signedIn(principal));
        return json(200, { ...project, members: await repository.members(project.id) });
      },
    }),
    defineRoute({
      ...apiRoutes.putProjectMember,
      verifier,
      handle: async ({ params, body, principal }) => {
        const repository = new ProjectRepository(deps.db());
        const project = await visibleProject(repository, params.id, signedIn(principal));
        const member = await repository.putMember(project.id, {
          userId: body.userId,
          email: body.email ?? null,
          subscribed: body.subscribed ?? body.email !== undefined,
        });
        return json(201, member);
      },
    }),
    defineRoute({
      ...apiRoutes.createProjectItem,
      verifier,
      handle: async ({ params, body, principal }) => {
        const caller = signedIn(principal);
        const repository = new ProjectRepository(deps.db());
        const project = await visibleProject(repository, params.id, caller);
        const item = await repository.createItem(project.id, body, caller.sub);
        const change: ItemChange = { projectId: project.id, itemId: item.id, change: "created", actor: caller.sub };
        return json(201, { item, notification: await dispatchNotification(dispatchDeps(), change) });
      },
    }),
    defineRoute({
      ...apiRoutes.updateProjectItem,
      verifier,
      handle: async ({ params, body, principal }) => {
        const caller = signedIn(principal);
        const repository = new ProjectRepository(deps.db());
        const project = await visibleProject(repository, params.id, caller);
        const item = await repository.updateItem(project.id, params.itemId, body, caller.sub);
        if (!item) throw new NotFoundError("No such item");
        const change: ItemChange = { projectId: project.id, itemId: item.id, change: "updated", actor: caller.sub };
        return json(200, { item, notification: await dispatchNotification(dispatchDeps(), change) });
      },
    }),
  ];
}

/** The deployed routes, with dependencies read from the environment when a request first needs them. */
export const projectRoutes: Route[] = createProjectRoutes();
