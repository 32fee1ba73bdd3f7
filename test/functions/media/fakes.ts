import type { DownloadSigner, MediaStorage, PresignedUpload, StoredObjectHead } from "../../../functions/media/storage.js";

/** An in-memory bucket that records what the service asked of it. */
export class FakeStorage implements MediaStorage {
  readonly objects = new Map<string, { body: Uint8Array; contentType: string }>();
  readonly deleted: string[] = [];
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
    return object && { sizeBytes: object.body.byteLength, contentType: object.contentType };
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    this.objects.set(key, { body, contentType });
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
