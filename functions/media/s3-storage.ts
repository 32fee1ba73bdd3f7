import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { DownloadSigner, MediaStorage, ObjectHeaders, PresignedUpload, StoredObjectHead } from "./storage.js";

export class S3MediaStorage implements MediaStorage {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async presignPost(
    key: string,
    contentType: string,
    maxBytes: number,
    expiresInSeconds: number,
  ): Promise<PresignedUpload> {
    const { url, fields } = await createPresignedPost(this.s3, {
      Bucket: this.bucket,
      Key: key,
      Fields: { "Content-Type": contentType },
      Conditions: [
        ["eq", "$Content-Type", contentType],
        ["content-length-range", 1, maxBytes],
      ],
      Expires: expiresInSeconds,
    });
    return { method: "POST", url, fields };
  }

  async presignPut(
    key: string,
    contentType: string,
    sizeBytes: number,
    expiresInSeconds: number,
  ): Promise<PresignedUpload> {
    const url = await getSignedUrl(
      this.s3,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType, ContentLength: sizeBytes }),
      {
        expiresIn: expiresInSeconds,
        // The presigner signs only `host` unless told; these make S3 refuse another type or size.
        signableHeaders: new Set(["content-type", "content-length"]),
      },
    );
    return { method: "PUT", url, headers: { "content-type": contentType } };
  }

  async head(key: string): Promise<StoredObjectHead | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { sizeBytes: head.ContentLength ?? 0, contentType: head.ContentType, etag: head.ETag ?? "" };
    } catch (error) {
      if (error instanceof NotFound || (error as { name?: string }).name === "NotFound") return undefined;
      throw error;
    }
  }

  async put(key: string, body: Uint8Array, headers: ObjectHeaders, md5Base64: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: headers.contentType,
        ContentDisposition: headers.contentDisposition,
        ContentMD5: md5Base64,
      }),
    );
  }

  async copy(from: string, to: string, ifMatch: string, headers: ObjectHeaders): Promise<{ etag: string } | undefined> {
    try {
      const result = await this.s3.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: to,
          CopySource: `${this.bucket}/${from.split("/").map(encodeURIComponent).join("/")}`,
          // The bytes copied are the bytes that were checked: a replay landing in between fails this.
          CopySourceIfMatch: ifMatch,
          // REPLACE sets the headers below instead of whatever the uploader's form carried.
          MetadataDirective: "REPLACE",
          ContentType: headers.contentType,
          ContentDisposition: headers.contentDisposition,
        }),
      );
      return { etag: result.CopyObjectResult?.ETag ?? ifMatch };
    } catch (error) {
      const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (
        name === "PreconditionFailed" ||
        name === "NoSuchKey" ||
        $metadata?.httpStatusCode === 412 ||
        $metadata?.httpStatusCode === 404
      )
        return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

/** The local stage's download URLs: S3 presigned GETs (the emulator has no CloudFront key groups). */
export class S3DownloadSigner implements DownloadSigner {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async sign(key: string, expiresAt: Date): Promise<string> {
    const expiresIn = Math.max(1, Math.round((expiresAt.getTime() - this.now().getTime()) / 1000));
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn });
  }
}
