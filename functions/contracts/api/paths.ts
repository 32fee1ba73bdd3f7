/**
 * Every route of the API by the name the typed client calls it, with its method and path. Nothing
 * is imported here, so the client (client.ts) reaches a browser without zod or any schema; the
 * schemas of each route are in routes.ts, keyed by the same names (the compiler checks they agree).
 */
export const apiPaths = {
  health: { method: "GET", path: "/health" },
  openApi: { method: "GET", path: "/openapi.json" },

  enqueueTask: { method: "POST", path: "/tasks" },
  enqueueTasks: { method: "POST", path: "/tasks/batch" },
  listTasks: { method: "GET", path: "/tasks" },
  getTask: { method: "GET", path: "/tasks/{id}" },
  cancelTask: { method: "POST", path: "/tasks/{id}/cancel" },
  retryTask: { method: "POST", path: "/tasks/{id}/retry" },

  listQueues: { method: "GET", path: "/queues" },
  redriveQueue: { method: "POST", path: "/queues/{name}/redrive" },
  purgeQueue: { method: "POST", path: "/queues/{name}/purge" },

  overview: { method: "GET", path: "/overview" },

  listSchedules: { method: "GET", path: "/schedules" },
  updateSchedule: { method: "PATCH", path: "/schedules/{name}" },
  resetSchedule: { method: "DELETE", path: "/schedules/{name}/override" },
  runSchedule: { method: "POST", path: "/schedules/{name}/run" },

  listMaintenanceSteps: { method: "GET", path: "/maintenance/steps" },
  setMaintenanceStep: { method: "PATCH", path: "/maintenance/steps/{name}" },
  startMaintenanceRun: { method: "POST", path: "/maintenance/runs" },
  listEvents: { method: "GET", path: "/events" },

  listMedia: { method: "GET", path: "/media" },
  listAllMedia: { method: "GET", path: "/admin/media" },
  createUpload: { method: "POST", path: "/media/uploads" },
  getMediaLink: { method: "GET", path: "/media/{id}" },
  getMediaInfo: { method: "GET", path: "/media/{id}/info" },
  deleteMedia: { method: "DELETE", path: "/media/{id}" },

  createProject: { method: "POST", path: "/projects" },
  listProjects: { method: "GET", path: "/projects" },
  getProject: { method: "GET", path: "/projects/{id}" },
  putProjectMember: { method: "POST", path: "/projects/{id}/members" },
  createProjectItem: { method: "POST", path: "/projects/{id}/items" },
  updateProjectItem: { method: "PATCH", path: "/projects/{id}/items/{itemId}" },

  getNotificationSettings: { method: "GET", path: "/settings/notifications" },
  setNotificationSettings: { method: "PATCH", path: "/settings/notifications" },
} as const;

export type RouteName = keyof typeof apiPaths;
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
