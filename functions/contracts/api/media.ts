import * as z from "zod";
import { listOf } from "./list.js";

export const mediaIdParams = z.object({ id: z.string().uuid() });

export const uploadBody = z
  .object({
    // Any name a browser or script may send: the service cleans it (functions/media/filename.ts),
    // so a long name is shortened rather than refused; the cap only bounds the work.
    filename: z.string().trim().min(1).max(1024),
    contentType: z
      .string()
      .regex(/^[\w.+-]+\/[\w.+-]+$/, "a MIME type such as image/png")
      .transform((type) => type.toLowerCase()),
    size: z.number().int().positive(),
    method: z.enum(["POST", "PUT"]).default("POST"),
  })
  .meta({ id: "UploadRequest" });

export const downloadQuery = z.object({ redirect: z.enum(["0", "1", "true", "false"]).optional() });

export const mediaListQuery = z.object({
  status: z.enum(["pending", "stored", "rejected"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const adminMediaListQuery = mediaListQuery.extend({ owner: z.string().min(1).optional() });

export const mediaSchema = z
  .strictObject({
    id: z.string(),
    filename: z.string(),
    contentType: z.string(),
    sizeBytes: z.number().int().nullable(),
    checksum: z.string().nullable(),
    status: z.enum(["pending", "stored", "rejected"]),
    createdAt: z.string(),
    storedAt: z.string().nullable(),
  })
  .meta({ id: "Media" });

export const mediaListSchema = listOf(mediaSchema).meta({ id: "MediaList" });

/** Where to send the file: a POST form (browsers, the default) or a PUT URL (scripts). */
export const uploadTicketSchema = z
  .union([
    z.strictObject({
      id: z.string(),
      expiresAt: z.string(),
      method: z.literal("POST"),
      url: z.string(),
      fields: z.record(z.string(), z.string()),
    }),
    z.strictObject({
      id: z.string(),
      expiresAt: z.string(),
      method: z.literal("PUT"),
      url: z.string(),
      headers: z.record(z.string(), z.string()),
    }),
  ])
  .meta({ id: "UploadTicket" });

export const downloadLinkSchema = z
  .strictObject({ url: z.string(), expiresAt: z.string() })
  .meta({ id: "DownloadLink" });

export type Media = z.infer<typeof mediaSchema>;
