import type { Route } from "../../core/http/route.js";
import { healthRoute } from "./health.js";
import { mediaRoutes } from "./media.js";
import { openApiRoute } from "./openapi.js";
import { maintenanceRoutes } from "./maintenance.js";
import { overviewRoutes } from "./overview.js";
import { queueRoutes } from "./queues.js";
import { projectRoutes } from "./projects.js";
import { scheduleRoutes } from "./schedules.js";
import { settingsRoutes } from "./settings.js";
import { taskRoutes } from "./tasks.js";

/** Every HTTP route of the API, like Django's urls.py: one line per route module. */
export const routes: Route[] = [
  healthRoute,
  ...taskRoutes,
  ...queueRoutes,
  ...scheduleRoutes,
  ...maintenanceRoutes,
  ...mediaRoutes(),
  ...projectRoutes,
  ...settingsRoutes,
  ...overviewRoutes,
  openApiRoute(() => routes),
];
