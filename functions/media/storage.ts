/** A browser upload the client performs itself, straight to the bucket. */
export type PresignedUpload =
  | { method: "POST"; url: string; fields: Record<string, string> }
  | { method: "PUT"; url: string; headers: Record<string, string> };

export interface StoredObjectHead {
  sizeBytes: number;
  contentType: string | undefined;
  /** As S3 returns it, quotes included; what `copy` takes as its precondition. */
  etag: string;
}

/** How a stored file is served: its type and a safe Content-Disposition (filename.ts). */
export interface ObjectHeaders {
  contentType: string;
  contentDisposition: string;
}

/** The bucket, as the media domain needs it; S3 in production and tests alike, fakes in unit tests. */
export interface MediaStorage {
  /** A POST form whose policy admits exactly this key and content type, and at most `maxBytes`. */
  presignPost(key: string, contentType: string, maxBytes: number, expiresInSeconds: number): Promise<PresignedUpload>;
  /** A PUT URL that signs the content type and length, so a different one fails the signature. */
  presignPut(key: string, contentType: string, sizeBytes: number, expiresInSeconds: number): Promise<PresignedUpload>;
  head(key: string): Promise<StoredObjectHead | undefined>;
  put(key: string, body: Uint8Array, headers: ObjectHeaders, md5Base64: string): Promise<void>;
  /**
   * Copies `from` to `to` with these headers, only if `from` still has ETag `ifMatch`; answers the
   * new object's ETag, or undefined when `from` changed (or vanished) since it was read.
   */
  copy(from: string, to: string, ifMatch: string, headers: ObjectHeaders): Promise<{ etag: string } | undefined>;
  delete(key: string): Promise<void>;
}

/** Turns a stored object's key into a short-lived download URL: CloudFront in prod, S3 locally. */
export interface DownloadSigner {
  sign(key: string, expiresAt: Date): Promise<string>;
}
