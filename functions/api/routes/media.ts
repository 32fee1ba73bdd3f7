import { z } from "zod";
import type { Principal } from "../../core/auth/principal.js";
import { json } from "../../core/http/responses.js";
import { defineRoute } from "../../core/http/route.js";
import { mediaService } from "../../media/from-env.js";
import type { MediaObject } from "../../media/media-object.js";
import type { MediaService } from "../../media/service.js";

const idParams = z.object({ id: z.string().uuid() });

export const uploadBody = z.object({
  filename: z.string().trim().min(1).max(255),
  contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, "a MIME type such as image/png").transform((type) => type.toLowerCase()),
  size: z.number().int().positive(),
  method: z.enum(["POST", "PUT"]).default("POST"),
});

const downloadQuery = z.object({ redirect: z.enum(["0", "1", "true", "false"]).optional() });

const view = (media: MediaObject) => ({
  id: media.id,
  filename: media.filename,
  contentType: media.contentType,
  sizeBytes: media.sizeBytes,
  checksum: media.checksum,
  status: media.status,
  createdAt: media.createdAt,
  storedAt: media.storedAt,
});

// Routes take the service as a function so tests can hand in one built over fakes.
export function mediaRoutes(service: () => MediaService = mediaService) {
  const caller = (principal: Principal | undefined) => principal as Principal;
  return [
    defineRoute({
      method: "POST",
      path: "/media/uploads",
      body: uploadBody,
      handle: async ({ principal, body }) => json(201, await service().createUpload(caller(principal), body)),
    }),
    defineRoute({
      method: "GET",
      path: "/media/{id}",
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
      params: idParams,
      handle: async ({ principal, params }) => json(200, view(await service().describe(caller(principal), params.id))),
    }),
    defineRoute({
      method: "DELETE",
      path: "/media/{id}",
      params: idParams,
      handle: async ({ principal, params }) => {
        await service().remove(caller(principal), params.id);
        return { statusCode: 204, headers: { "cache-control": "no-store" }, body: "" };
      },
    }),
  ];
}
