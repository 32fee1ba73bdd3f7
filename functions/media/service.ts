import { createHash, randomUUID } from "node:crypto";
import { isAdmin, type Principal } from "../core/auth/principal.js";
import { ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError, ValidationError } from "../core/errors.js";
import { logger } from "../core/logger.js";
import { cleanFilename, contentDisposition } from "./filename.js";
import {
  checksumFromEtag,
  isAllowedContentType,
  objectKeyFor,
  stagedUploadId,
  stagingKeyFor,
  storedKeyId,
  type MediaLimits,
  type MediaObject,
  type MediaStatus,
} from "./media-object.js";
import type { MediaRepository } from "./repository.js";
import type { DownloadSigner, MediaStorage, ObjectHeaders, PresignedUpload } from "./storage.js";

export interface UploadRequest {
  filename: string;
  contentType: string;
  /** What the client says it will send; the upload may not be larger. */
  size: number;
  /** A POST form (browsers, the default) or a PUT URL (scripts). */
  method?: "POST" | "PUT";
}

export type UploadTicket = { id: string; expiresAt: string } & PresignedUpload;

export interface DownloadLink {
  url: string;
  expiresAt: string;
}

/** The facts of an S3 ObjectCreated record that matter here. */
export interface CreatedObject {
  key: string;
  sizeBytes: number;
  etag: string;
}

/**
 * What the S3 event processor did with one object:
 * - stored: an upload was checked and copied into its final key, or a file we wrote was recorded;
 * - rejected: an upload broke the limits (or its row was already rejected) and was deleted;
 * - replay-discarded: an upload for an item already stored (a replayed form) was deleted unseen;
 * - already-stored: the event of our own write to a final key, nothing to do;
 * - in-progress: the event of a copy whose transaction has not committed yet, nothing to do;
 * - orphan-deleted: no row owns the object, so it was deleted;
 * - gone: the object was deleted before its event arrived.
 */
export type ProcessOutcome =
  "stored" | "rejected" | "replay-discarded" | "already-stored" | "in-progress" | "orphan-deleted" | "gone";

/** The staging object changed between its check and its copy (a replay raced the processor): retry the event. */
export class UploadChangedError extends Error {
  override name = "UploadChangedError";
}

export interface ListFilter {
  status?: MediaStatus;
  limit?: number;
}

export interface MediaServiceDeps {
  repository: MediaRepository;
  storage: MediaStorage;
  signer: DownloadSigner;
  limits: MediaLimits;
  now?: () => Date;
  newId?: () => string;
}

/**
 * Media files behind authentication: uploads go straight to the bucket through presigned
 * requests, downloads through short-lived signed URLs, and only the owner or an admin sees one.
 */
export class MediaService {
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(private readonly deps: MediaServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
  }

  async createUpload(principal: Principal, request: UploadRequest): Promise<UploadTicket> {
    const { limits } = this.deps;
    if (!isAllowedContentType(request.contentType, limits.allowedContentTypes)) {
      throw new ValidationError("Invalid request", [
        `body.contentType: ${request.contentType} is not allowed (allowed: ${limits.allowedContentTypes.join(", ")})`,
      ]);
    }
    if (request.size > limits.maxUploadBytes) {
      throw new PayloadTooLargeError(
        `Uploads are limited to ${limits.maxUploadBytes} bytes; this one declares ${request.size}`,
      );
    }
    const id = this.newId();
    // The form names a staging key, never the file's final key: see objectCreated.
    const objectKey = stagingKeyFor(id);
    // The row comes first: an object that appears without one is an orphan and gets deleted.
    // Until the upload is stored the row's object_key is the staging key, so the maintenance sweep of
    // stale pending uploads deletes the right object.
    await this.deps.repository.insertPending({
      id,
      owner: principal.sub,
      objectKey,
      filename: cleanFilename(request.filename),
      contentType: request.contentType,
    });
    const upload =
      request.method === "PUT"
        ? await this.deps.storage.presignPut(objectKey, request.contentType, request.size, limits.urlTtlSeconds)
        : await this.deps.storage.presignPost(objectKey, request.contentType, request.size, limits.urlTtlSeconds);
    return { id, expiresAt: this.expiry().toISOString(), ...upload };
  }

  /** Owner or admin; anyone else is told it does not exist rather than that it is not theirs. */
  async describe(principal: Principal, id: string): Promise<MediaObject> {
    const media = await this.deps.repository.findById(id);
    if (!media || (media.owner !== principal.sub && !isAdmin(principal)))
      throw new NotFoundError(`Media ${id} not found`);
    return media;
  }

  /** The caller's own files, admins included: `GET /media` is "my files" for everyone. */
  async list(principal: Principal, filter: ListFilter = {}): Promise<MediaObject[]> {
    return this.deps.repository.list({ owner: principal.sub, status: filter.status, limit: filter.limit ?? 100 });
  }

  /** Every user's files (or one owner's): admins only (`GET /admin/media`). */
  async listAll(principal: Principal, filter: ListFilter & { owner?: string } = {}): Promise<MediaObject[]> {
    if (!isAdmin(principal)) throw new ForbiddenError("Listing every user's media needs the admin role");
    return this.deps.repository.list({ owner: filter.owner, status: filter.status, limit: filter.limit ?? 100 });
  }

  async downloadLink(principal: Principal, id: string): Promise<DownloadLink> {
    const media = await this.describe(principal, id);
    if (media.status !== "stored")
      throw new ConflictError(`Media ${id} is ${media.status}, not stored: nothing to download`);
    const expiresAt = this.expiry();
    return { url: await this.deps.signer.sign(media.objectKey, expiresAt), expiresAt: expiresAt.toISOString() };
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const media = await this.describe(principal, id);
    // Object first: a row without its object is harmless, an object without a row is a leak.
    await this.deps.storage.delete(media.objectKey);
    await this.deps.repository.delete(id);
  }

  /**
   * The S3 event (SQS delivers it at least once, in any order, possibly twice at the same time).
   *
   * Why uploads go through a staging key: a presigned POST form or PUT URL can be replayed until it
   * expires, and S3 offers no "write once" condition a presigned POST can carry. So the form names
   * `media/incoming/<id>` and the processor, holding the row's lock, checks the object and copies it
   * into `media/<id>/<name>` (only if its ETag is still the one checked), records it stored, then
   * deletes the staging object. Any later object under the staging key finds the row stored and is
   * deleted unread; the stored file is never the target of a presigned request, so no replay can
   * change it, not even for a moment. This needs no bucket versioning and works alike on S3 and the
   * emulator. The copy also sets the declared content type and a safe Content-Disposition.
   */
  async objectCreated(object: CreatedObject): Promise<ProcessOutcome> {
    const stagedId = stagedUploadId(object.key);
    return stagedId ? this.acceptUpload(stagedId, object.key) : this.recordWrite(object);
  }

  /** An object under a staging key: stored once, rejected, or discarded as a replay. */
  private async acceptUpload(id: string, stagingKey: string): Promise<ProcessOutcome> {
    const { repository, storage } = this.deps;
    const media = await repository.findById(id);
    if (!media) return this.deleteOrphan(stagingKey);
    if (media.status !== "pending") {
      // Stored: a replayed form (or the same event twice). Rejected: a rejected row stays rejected.
      if (media.status === "stored") logger.warn("Discarding an upload for media already stored", { id });
      await storage.delete(stagingKey);
      return media.status === "stored" ? "replay-discarded" : "rejected";
    }
    const head = await storage.head(stagingKey);
    if (!head) return "gone";
    const problem = this.limitBroken(media, head.sizeBytes, head.contentType);
    if (problem) {
      logger.warn("Rejecting an upload that breaks the limits", { key: stagingKey, problem });
      await storage.delete(stagingKey);
      await repository.markRejected(stagingKey, head.sizeBytes);
      return "rejected";
    }
    const stored = await repository.storeOnce(id, async (locked) => {
      const finalKey = objectKeyFor(id, locked.filename);
      const copied = await storage.copy(stagingKey, finalKey, head.etag, this.headersFor(locked));
      if (!copied) throw new UploadChangedError(`The upload for media ${id} changed while it was being stored`);
      return { objectKey: finalKey, sizeBytes: head.sizeBytes, checksum: checksumFromEtag(copied.etag) };
    });
    // Stored now or by a concurrent event first: either way the staging object has served its turn.
    await storage.delete(stagingKey);
    return stored ? "stored" : "replay-discarded";
  }

  /**
   * An object under any other key. Presigned requests only ever name staging keys, so this is a
   * write of our own: the processor's copy, a generated file (storeGenerated), or an upload form
   * issued before staging keys existed. Anything else is an orphan.
   */
  private async recordWrite(object: CreatedObject): Promise<ProcessOutcome> {
    const { repository, storage } = this.deps;
    const id = storedKeyId(object.key);
    const media = id === undefined ? undefined : await repository.findById(id);
    if (!media) return this.deleteOrphan(object.key);
    if (media.objectKey !== object.key) {
      // The copy's own event can overtake the commit that records the final key: leave it be.
      if (media.status === "pending" && objectKeyFor(media.id, media.filename) === object.key) return "in-progress";
      return this.deleteOrphan(object.key);
    }
    if (media.status === "stored") return "already-stored";
    if (media.status === "rejected") {
      await storage.delete(object.key);
      return "rejected";
    }
    const head = await storage.head(object.key);
    if (!head) return "gone";
    const problem = this.limitBroken(media, head.sizeBytes, head.contentType);
    if (problem) {
      logger.warn("Rejecting an upload that breaks the limits", { key: object.key, problem });
      await storage.delete(object.key);
      await repository.markRejected(object.key, head.sizeBytes);
      return "rejected";
    }
    await repository.markStored(object.key, head.sizeBytes, checksumFromEtag(object.etag));
    return "stored";
  }

  private async deleteOrphan(key: string): Promise<ProcessOutcome> {
    logger.warn("Deleting an object no media row owns", { key });
    await this.deps.storage.delete(key);
    return "orphan-deleted";
  }

  private headersFor(media: MediaObject): ObjectHeaders {
    return { contentType: media.contentType, contentDisposition: contentDisposition(media.filename) };
  }

  /** Files the app writes itself (reports): stored synchronously, so the id is usable at once. */
  async storeGenerated(owner: string, filename: string, contentType: string, body: Uint8Array): Promise<MediaObject> {
    const { repository, storage, limits } = this.deps;
    if (body.byteLength > limits.maxUploadBytes)
      throw new PayloadTooLargeError(
        `${cleanFilename(filename)} is ${body.byteLength} bytes, over the ${limits.maxUploadBytes} byte limit`,
      );
    const id = this.newId();
    const name = cleanFilename(filename);
    const objectKey = objectKeyFor(id, name);
    await repository.insertPending({ id, owner, objectKey, filename: name, contentType });
    const md5 = createHash("md5").update(body).digest();
    await storage.put(
      objectKey,
      body,
      { contentType, contentDisposition: contentDisposition(name) },
      md5.toString("base64"),
    );
    const stored = await repository.markStored(objectKey, body.byteLength, `md5:${md5.toString("hex")}`);
    return stored as MediaObject;
  }

  private limitBroken(media: MediaObject, sizeBytes: number, contentType: string | undefined): string | undefined {
    const { limits } = this.deps;
    if (sizeBytes > limits.maxUploadBytes) return `${sizeBytes} bytes is over the ${limits.maxUploadBytes} byte limit`;
    if (sizeBytes === 0) return "the object is empty";
    if (contentType !== undefined && contentType.toLowerCase() !== media.contentType.toLowerCase()) {
      return `content type ${contentType} differs from the declared ${media.contentType}`;
    }
    if (!isAllowedContentType(media.contentType, limits.allowedContentTypes))
      return `content type ${media.contentType} is no longer allowed`;
    return undefined;
  }

  private expiry(): Date {
    return new Date(this.now().getTime() + this.deps.limits.urlTtlSeconds * 1000);
  }
}
