import { apiRoutes } from "../../contracts/api/routes.js";
import type { Verifier } from "../../core/auth/verifier.js";
import { runtimeConfiguration } from "../../core/config/runtime.js";
import { database, type Database } from "../../core/db/database.js";
import { json } from "../../core/http/responses.js";
import { defineRoute, type Route } from "../../core/http/route.js";
import { asyncSetting, saveAsyncOverride, type AsyncSetting } from "../../notifications/mode.js";

export interface SettingsRouteDeps {
  db: () => Database;
  /** The configuration's `notifications.async`. */
  configured: () => AsyncSetting;
  verifier?: () => Promise<Verifier>;
}

const deployed: SettingsRouteDeps = {
  db: () => database(),
  configured: () => runtimeConfiguration().notifications.async,
};

/**
 * Runtime switches an admin changes without a redeploy, stored in the database. The notifications
 * mode: `async` is "" (every project inline), "all", or a list of project ids; null removes the
 * override, so the configuration's value is in force again. The next item change reads it.
 */
export function createSettingsRoutes(deps: SettingsRouteDeps = deployed): Route[] {
  const { verifier } = deps;
  return [
    defineRoute({
      ...apiRoutes.getNotificationSettings,
      verifier,
      handle: async () => json(200, await asyncSetting(deps.db(), deps.configured())),
    }),
    defineRoute({
      ...apiRoutes.setNotificationSettings,
      verifier,
      handle: async ({ body, principal }) => {
        const db = deps.db();
        await saveAsyncOverride(db, body.async, principal?.sub ?? "admin");
        return json(200, await asyncSetting(db, deps.configured()));
      },
    }),
  ];
}

export const settingsRoutes: Route[] = createSettingsRoutes();
