import * as z from "zod";
import type { Principal } from "../../core/auth/principal.js";
import { json } from "../../core/http/responses.js";
import { defineRoute, type Route } from "../../core/http/route.js";
import type { Verifier } from "../../core/auth/verifier.js";
import { mediaService } from "../../media/from-env.js";
import { cleanFilename } from "../../media/filename.js";
import type { MediaObject } from "../../media/media-object.js";
import type { MediaService } from "../../media/service.js";

const idParams = z.object({ id: z.string().uuid() });

export const uploadBody = z.object({
  // Any name a browser or script may send: the service cleans it (functions/media/filename.ts),
  // so a long name is shortened rather than refused; the cap only bounds the work.
  filename: z.string().trim().min(1).max(1024),
  contentType: z
    .string()
    .regex(/^[\w.+-]+\/[\w.+-]+$/, "a MIME type such as image/png")
    .transform((type) => type.toLowerCase()),
  size: z.number().int().positive(),
  method: z.enum(["POST", "PUT"]).default("POST"),
});

const downloadQuery = z.object({ redirect: z.enum(["0", "1", "true", "false"]).optional() });

const listQuery = z.object({
  status: z.enum(["pending", "stored", "rejected"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const adminListQuery = listQuery.extend({ owner: z.string().min(1).optional() });

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
      method: "GET",
      path: "/media",
      verifier,
      query: listQuery,
      handle: async ({ principal, query }) =>
        json(200, { items: (await service().list(caller(principal), query)).map(view) }),
    }),
    defineRoute({
      method: "GET",
      path: "/admin/media",
      auth: "admin",
      verifier,
      query: adminListQuery,
      handle: async ({ principal, query }) =>
        json(200, { items: (await service().listAll(caller(principal), query)).map(view) }),
    }),
    defineRoute({
      method: "POST",
      path: "/media/uploads",
      verifier,
      body: uploadBody,
      handle: async ({ principal, body }) => json(201, await service().createUpload(caller(principal), body)),
    }),
    defineRoute({
      method: "GET",
      path: "/media/{id}",
      verifier,
      params: idParams,
      query: downloadQuery,
      handle: async ({ principal, params, query }) => {
        const link = await service().downloadLink(caller(principal), params.id);
        if (query.redirect === "1" || query.redirect === "true") {
          return { statusCode: 302, headers: { location: link.url, "cache-control": "no-store" }, body: "" };
        }
        return json(200, link);
      },
    }),
    defineRoute({
      method: "GET",
      path: "/media/{id}/info",
      verifier,
      params: idParams,
      handle: async ({ principal, params }) => json(200, view(await service().describe(caller(principal), params.id))),
    }),
    defineRoute({
      method: "DELETE",
      path: "/media/{id}",
      verifier,
      params: idParams,
      handle: async ({ principal, params }) => {
        await service().remove(caller(principal), params.id);
        return { statusCode: 204, headers: { "cache-control": "no-store" }, body: "" };
      },
    }),
  ];
}
