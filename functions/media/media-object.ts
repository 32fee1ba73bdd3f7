import { MEDIA_PREFIX } from "../contracts/media.js";

export { MEDIA_PREFIX };

export type MediaStatus = "pending" | "stored" | "rejected";

/** One uploaded or generated file, as the `media_objects` table holds it. */
export interface MediaObject {
  id: string;
  owner: string;
  objectKey: string;
  filename: string;
  contentType: string;
  sizeBytes: number | null;
  checksum: string | null;
  status: MediaStatus;
  createdAt: string;
  storedAt: string | null;
}

/** What the limits in configuration (`media.*`) allow. */
export interface MediaLimits {
  maxUploadBytes: number;
  allowedContentTypes: string[];
  urlTtlSeconds: number;
}

/**
 * Where presigned uploads land: `media/incoming/<id>`, one key per upload ticket. Stored files live
 * elsewhere (objectKeyFor) and no presigned request ever names them, so replaying an upload form
 * within its TTL can only rewrite the staging key, never a stored file (see MediaService.objectCreated).
 * Under MEDIA_PREFIX so the same bucket notification and grants cover it; a uuid is never "incoming".
 */
export const STAGING_PREFIX = `${MEDIA_PREFIX}incoming/`;

export function stagingKeyFor(id: string): string {
  return `${STAGING_PREFIX}${id}`;
}

const stagingKeyPattern = /^media\/incoming\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The media id of a staging key, or undefined for any other key. */
export function stagedUploadId(key: string): string | undefined {
  return stagingKeyPattern.exec(key)?.[1];
}

const storedKeyPattern = /^media\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\//;

/** The media id a stored-file key (objectKeyFor) starts with, or undefined. */
export function storedKeyId(key: string): string | undefined {
  return storedKeyPattern.exec(key)?.[1];
}

/**
 * `media/<id>/<safe name>`: the id makes the key unique and unguessable, the name keeps downloads
 * readable. Anything outside a conservative character set becomes "_" so keys need no escaping.
 * Callers pass a name already cleaned by cleanFilename; this still never lets one climb folders.
 */
export function objectKeyFor(id: string, filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? "";
  const safe =
    base
      .replace(/[^A-Za-z0-9._-]+/g, "_")
      .replace(/^\.+/, "_")
      .slice(-120) || "file";
  return `${MEDIA_PREFIX}${id}/${safe}`;
}

/** `image/*` in the allow-list admits every image subtype. */
export function isAllowedContentType(contentType: string, allowed: string[]): boolean {
  const type = contentType.toLowerCase();
  return allowed.some((entry) => {
    const rule = entry.toLowerCase();
    return rule.endsWith("/*") ? type.startsWith(rule.slice(0, -1)) : type === rule;
  });
}

/**
 * The checksum recorded for a stored object. A single-part upload's ETag (SSE-S3) is the MD5 of
 * its bytes, which is also what we compute for files we write ourselves, so both read alike.
 */
export function checksumFromEtag(etag: string): string {
  const clean = etag.replace(/"/g, "").toLowerCase();
  return /^[0-9a-f]{32}$/.test(clean) ? `md5:${clean}` : `etag:${clean}`;
}
