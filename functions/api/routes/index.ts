import type { Route } from "../../core/http/route.js";
import { healthRoute } from "./health.js";
import { mediaRoutes } from "./media.js";

/** Every HTTP route of the API, like Django's urls.py: one line per route module. */
export const routes: Route[] = [healthRoute, ...mediaRoutes()];
