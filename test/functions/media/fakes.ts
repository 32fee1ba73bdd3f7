import { createHash } from "node:crypto";
import type {
  DownloadSigner,
  MediaStorage,
  ObjectHeaders,
  PresignedUpload,
  StoredObjectHead,
} from "../../../functions/media/storage.js";

export interface FakeObject {
  body: Uint8Array;
  contentType: string;
  contentDisposition?: string;
  /** Quoted MD5 of the body, as S3 reports a single-part object's ETag. */
  etag: string;
}

export const etagOf = (body: Uint8Array): string => `"${createHash("md5").update(body).digest("hex")}"`;

/** An in-memory bucket that records what the service asked of it, with S3's copy precondition. */
export class FakeStorage implements MediaStorage {
  readonly objects = new Map<string, FakeObject>();
  readonly deleted: string[] = [];
  readonly copies: { from: string; to: string }[] = [];
  readonly presigned: { method: string; key: string; contentType: string; bytes: number; expiresIn: number }[] = [];

  async presignPost(key: string, contentType: string, maxBytes: number, expiresIn: number): Promise<PresignedUpload> {
    this.presigned.push({ method: "POST", key, contentType, bytes: maxBytes, expiresIn });
    return { method: "POST", url: "https://bucket.example/", fields: { key, "Content-Type": contentType } };
  }

  async presignPut(key: string, contentType: string, sizeBytes: number, expiresIn: number): Promise<PresignedUpload> {
    this.presigned.push({ method: "PUT", key, contentType, bytes: sizeBytes, expiresIn });
    return { method: "PUT", url: `https://bucket.example/${key}?signed`, headers: { "content-type": contentType } };
  }

  async head(key: string): Promise<StoredObjectHead | undefined> {
    const object = this.objects.get(key);
    return object && { sizeBytes: object.body.byteLength, contentType: object.contentType, etag: object.etag };
  }

  async put(key: string, body: Uint8Array, headers: ObjectHeaders | string): Promise<void> {
    const { contentType, contentDisposition } =
      typeof headers === "string" ? { contentType: headers, contentDisposition: undefined } : headers;
    this.objects.set(key, { body, contentType, contentDisposition, etag: etagOf(body) });
  }

  async copy(from: string, to: string, ifMatch: string, headers: ObjectHeaders): Promise<{ etag: string } | undefined> {
    const source = this.objects.get(from);
    if (!source || source.etag !== ifMatch) return undefined;
    this.copies.push({ from, to });
    this.objects.set(to, { ...source, ...headers });
    return { etag: source.etag };
  }

  async delete(key: string): Promise<void> {
    this.deleted.push(key);
    this.objects.delete(key);
  }
}

export class FakeSigner implements DownloadSigner {
  async sign(key: string, expiresAt: Date): Promise<string> {
    return `https://cdn.example/${key}?expires=${expiresAt.getTime() / 1000}`;
  }
}
