import { isBound, readVariables, versionVariables } from "../../contracts/environment.js";
import { apiRoutes } from "../../contracts/api/routes.js";
import { json } from "../../core/http/responses.js";
import { defineRoute, type Route } from "../../core/http/route.js";
import { openApiDocument } from "../openapi.js";

let document: unknown;

/**
 * GET /openapi.json, public: the document is generated from `routes()` (every route served) on the
 * first call and kept, so a cold start that serves any other route never walks the schemas. The
 * generator is imported statically: a dynamic import saves no bytes in a one-file bundle, and its
 * lazy wrappers keep zod's locale index in the bundle (test/infra/bundles.test.ts).
 */
export function openApiRoute(routes: () => readonly Route[]): Route {
  return defineRoute({
    ...apiRoutes.openApi,
    handle: () => {
      document ??= openApiDocument(
        routes(),
        isBound(versionVariables) ? readVariables(versionVariables).GROUNDCREW_VERSION : "dev",
      );
      return Promise.resolve(json(200, document, { "cache-control": "public, max-age=300" }));
    },
  });
}
