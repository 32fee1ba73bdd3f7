import { isBound, readVariables, versionVariables } from "../../contracts/environment.js";
import { isUnavailable } from "../../core/db/unavailable.js";
import type { Database } from "../../core/db/database.js";
import { json } from "../../core/http/responses.js";
import { defineRoute } from "../../core/http/route.js";
import { apiRoutes } from "../../contracts/api/routes.js";
import type { Health } from "../../contracts/api/health.js";
import { database } from "../../core/db/database.js";

export type { Health };

/** Liveness that includes the database: load balancers and `npm start` both read it. */
export async function checkHealth(db: Database, version: string): Promise<Health> {
  try {
    await db.query("SELECT 1");
    return { status: "ok", db: "ok", version };
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    return { status: "degraded", db: "unavailable", version };
  }
}

export const healthRoute = defineRoute({
  ...apiRoutes.health,
  handle: async () => {
    const version = isBound(versionVariables) ? readVariables(versionVariables).GROUNDCREW_VERSION : "dev";
    const health = await checkHealth(database(), version);
    return json(health.db === "ok" ? 200 : 503, health);
  },
});
