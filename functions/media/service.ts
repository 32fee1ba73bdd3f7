import { createHash, randomUUID } from "node:crypto";
import { isAdmin, type Principal } from "../core/auth/principal.js";
import { ConflictError, NotFoundError, PayloadTooLargeError, ValidationError } from "../core/errors.js";
import { logger } from "../core/logger.js";
import { checksumFromEtag, isAllowedContentType, objectKeyFor, type MediaLimits, type MediaObject, type MediaStatus } from "./media-object.js";
import type { MediaRepository } from "./repository.js";
import type { DownloadSigner, MediaStorage, PresignedUpload } from "./storage.js";

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

export type ProcessOutcome = "stored" | "rejected" | "orphan-deleted" | "gone";

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
      throw new ValidationError("Invalid request", [`body.contentType: ${request.contentType} is not allowed (allowed: ${limits.allowedContentTypes.join(", ")})`]);
    }
    if (request.size > limits.maxUploadBytes) {
      throw new PayloadTooLargeError(`Uploads are limited to ${limits.maxUploadBytes} bytes; this one declares ${request.size}`);
    }
    const id = this.newId();
    const objectKey = objectKeyFor(id, request.filename);
    // The row comes first: an object that appears without one is an orphan and gets deleted.
    await this.deps.repository.insertPending({ id, owner: principal.sub, objectKey, filename: request.filename, contentType: request.contentType });
    const upload =
      request.method === "PUT"
        ? await this.deps.storage.presignPut(objectKey, request.contentType, request.size, limits.urlTtlSeconds)
        : await this.deps.storage.presignPost(objectKey, request.contentType, request.size, limits.urlTtlSeconds);
    return { id, expiresAt: this.expiry().toISOString(), ...upload };
  }

  /** Owner or admin; anyone else is told it does not exist rather than that it is not theirs. */
  async describe(principal: Principal, id: string): Promise<MediaObject> {
    const media = await this.deps.repository.findById(id);
    if (!media || (media.owner !== principal.sub && !isAdmin(principal))) throw new NotFoundError(`Media ${id} not found`);
    return media;
  }

  /** The caller's own files, or for an admin anyone's (optionally one owner's). */
  async list(principal: Principal, filter: { owner?: string; status?: MediaStatus; limit?: number } = {}): Promise<MediaObject[]> {
    const owner = isAdmin(principal) ? filter.owner : principal.sub;
    return this.deps.repository.list({ owner, status: filter.status, limit: filter.limit ?? 100 });
  }

  async downloadLink(principal: Principal, id: string): Promise<DownloadLink> {
    const media = await this.describe(principal, id);
    if (media.status !== "stored") throw new ConflictError(`Media ${id} is ${media.status}, not stored: nothing to download`);
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
   * The S3 event: a known pending or stored object within the limits is marked stored with its
   * size and checksum; one that breaks them is deleted and its row rejected; an unknown one is deleted.
   * Safe to run twice for the same record (SQS delivers at least once).
   */
  async objectCreated(object: CreatedObject): Promise<ProcessOutcome> {
    const { repository, storage } = this.deps;
    const media = await repository.findByKey(object.key);
    if (!media) {
      logger.warn("Deleting an object no media row owns", { key: object.key });
      await storage.delete(object.key);
      return "orphan-deleted";
    }
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

  /** Files the app writes itself (reports): stored synchronously, so the id is usable at once. */
  async storeGenerated(owner: string, filename: string, contentType: string, body: Uint8Array): Promise<MediaObject> {
    const { repository, storage, limits } = this.deps;
    if (body.byteLength > limits.maxUploadBytes) throw new PayloadTooLargeError(`${filename} is ${body.byteLength} bytes, over the ${limits.maxUploadBytes} byte limit`);
    const id = this.newId();
    const objectKey = objectKeyFor(id, filename);
    await repository.insertPending({ id, owner, objectKey, filename, contentType });
    const md5 = createHash("md5").update(body).digest();
    await storage.put(objectKey, body, contentType, md5.toString("base64"));
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
    if (!isAllowedContentType(media.contentType, limits.allowedContentTypes)) return `content type ${media.contentType} is no longer allowed`;
    return undefined;
  }

  private expiry(): Date {
    return new Date(this.now().getTime() + this.deps.limits.urlTtlSeconds * 1000);
  }
}
