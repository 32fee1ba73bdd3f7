import {
  CopyObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { S3DownloadSigner, S3MediaStorage } from "../../../functions/media/s3-storage.js";

const s3 = new S3Client({
  region: "us-east-1",
  endpoint: "http://127.0.0.1:4999",
  forcePathStyle: true,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
const storage = new S3MediaStorage(s3, "media-bucket");

describe("S3MediaStorage presigning (no network)", () => {
  it("builds a POST policy that pins the key and content type and caps the length", async () => {
    const upload = await storage.presignPost("media/1/a.png", "image/png", 500, 60);
    if (upload.method !== "POST") throw new Error("expected a POST form");
    expect(upload.url).toBe("http://127.0.0.1:4999/media-bucket");
    expect(upload.fields).toMatchObject({
      key: "media/1/a.png",
      "Content-Type": "image/png",
      "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    });
    const policy = JSON.parse(Buffer.from(upload.fields.Policy ?? "", "base64").toString("utf8"));
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ["eq", "$Content-Type", "image/png"],
        ["content-length-range", 1, 500],
        { key: "media/1/a.png" },
      ]),
    );
    const ttl = (Date.parse(policy.expiration) - Date.now()) / 1000;
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it("signs content type and length into a PUT URL", async () => {
    const upload = await storage.presignPut("media/1/a.png", "image/png", 123, 60);
    const url = new URL(upload.url);
    expect(url.pathname).toBe("/media-bucket/media/1/a.png");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("60");
  });

  it("signs GET URLs that expire when asked", async () => {
    const now = new Date();
    const url = new URL(
      await new S3DownloadSigner(s3, "media-bucket", () => now).sign(
        "media/1/a.png",
        new Date(now.getTime() + 300_000),
      ),
    );
    expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
  });
});

describe("S3MediaStorage writes (mocked client)", () => {
  const client = new S3Client({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const mocked = mockClient(client);
  const bucket = new S3MediaStorage(client, "media-bucket");
  const headers = {
    contentType: "text/plain",
    contentDisposition: `attachment; filename="a.txt"; filename*=UTF-8''a.txt`,
  };
  beforeEach(() => mocked.reset());

  it("copies only the checked bytes (CopySourceIfMatch) and replaces the uploader's headers with ours", async () => {
    mocked.on(CopyObjectCommand).resolves({ CopyObjectResult: { ETag: '"abc"' } });
    expect(await bucket.copy("media/incoming/1", "media/1/a b.txt", '"abc"', headers)).toEqual({ etag: '"abc"' });
    expect(mocked.commandCalls(CopyObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: "media-bucket",
      Key: "media/1/a b.txt",
      CopySource: "media-bucket/media/incoming/1",
      CopySourceIfMatch: '"abc"',
      MetadataDirective: "REPLACE",
      ContentType: "text/plain",
      ContentDisposition: headers.contentDisposition,
    });
  });

  it("answers undefined when the source changed (412) or vanished (404), and throws anything else", async () => {
    const failure = (name: string, httpStatusCode: number) =>
      new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode } });
    mocked
      .on(CopyObjectCommand)
      .rejectsOnce(failure("PreconditionFailed", 412))
      .rejectsOnce(failure("NoSuchKey", 404))
      .rejectsOnce(failure("AccessDenied", 403));
    expect(await bucket.copy("media/incoming/1", "media/1/a.txt", '"abc"', headers)).toBeUndefined();
    expect(await bucket.copy("media/incoming/1", "media/1/a.txt", '"abc"', headers)).toBeUndefined();
    await expect(bucket.copy("media/incoming/1", "media/1/a.txt", '"abc"', headers)).rejects.toMatchObject({
      name: "AccessDenied",
    });
  });

  it("reads the ETag on head and writes generated files with their Content-Disposition", async () => {
    mocked.on(HeadObjectCommand).resolves({ ContentLength: 5, ContentType: "text/plain", ETag: '"e"' });
    expect(await bucket.head("media/incoming/1")).toEqual({ sizeBytes: 5, contentType: "text/plain", etag: '"e"' });
    mocked.on(PutObjectCommand).resolves({});
    await bucket.put("media/1/a.txt", new Uint8Array([1]), headers, "md5==");
    expect(mocked.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      ContentType: "text/plain",
      ContentDisposition: headers.contentDisposition,
      ContentMD5: "md5==",
    });
  });
});
