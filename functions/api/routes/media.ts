import { onePage } from "../../contracts/api/list.js";
import { uploadBody } from "../../contracts/api/media.js";
import { apiRoutes } from "../../contracts/api/routes.js";
import type { Principal } from "../../core/auth/principal.js";
import { json } from "../../core/http/responses.js";
import { defineRoute, type Route } from "../../core/http/route.js";
import type { Verifier } from "../../core/auth/verifier.js";
import { mediaService } from "../../media/from-env.js";
import { cleanFilename } from "../../media/filename.js";
import type { MediaObject } from "../../media/media-object.js";
import type { MediaService } from "../../media/service.js";

/** The upload request's schema, kept here for the tests that import it. */
export { uploadBody };

const view = (media: MediaObject) => ({
  id: media.id,
  // Cleaned again on the way out: rows written before names were cleaned show a safe name too.
  filename: cleanFilename(media.filename),
  contentType: media.contentType,
  sizeBytes: media.sizeBytes,
  checksum: media.checksum,
  status: media.status,
  createdAt: media.createdAt,
  storedAt: media.storedAt,
});

/** Tests hand in a service built over fakes and their own token verifier. */
export function mediaRoutes(service: () => MediaService = mediaService, verifier?: () => Promise<Verifier>): Route[] {
  // Every media route needs a signed-in caller, so the principal is always there.
  const caller = (principal: Principal | undefined) => principal as Principal;
  return [
    // "My files" for everyone, admins included; every user's files are on /admin/media.
    defineRoute({
      ...apiRoutes.listMedia,
      verifier,
      handle: async ({ principal, query }) =>
        json(200, onePage((await service().list(caller(principal), query)).map(view))),
    }),
    defineRoute({
      ...apiRoutes.listAllMedia,
      verifier,
      handle: async ({ principal, query }) =>
        json(200, onePage((await service().listAll(caller(principal), query)).map(view))),
    }),
    defineRoute({
      ...apiRoutes.createUpload,
      verifier,
      handle: async ({ principal, body }) => json(201, await service().createUpload(caller(principal), body)),
    }),
    defineRoute({
      ...apiRoutes.getMediaLink,
      verifier,
      handle: async ({ principal, params, query }) => {
        const link = await service().downloadLink(caller(principal), params.id);
        if (query.redirect === "1" || query.redirect === "true") {
          return { statusCode: 302, headers: { location: link.url, "cache-control": "no-store" }, body: "" };
        }
        return json(200, link);
      },
    }),
    defineRoute({
      ...apiRoutes.getMediaInfo,
      verifier,
      handle: async ({ principal, params }) => json(200, view(await service().describe(caller(principal), params.id))),
    }),
    defineRoute({
      ...apiRoutes.deleteMedia,
      verifier,
      handle: async ({ principal, params }) => {
        await service().remove(caller(principal), params.id);
        return { statusCode: 204, headers: { "cache-control": "no-store" }, body: "" };
      },
    }),
  ];
}
