import { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { S3DownloadSigner, S3MediaStorage } from "../../../functions/media/s3-storage.js";

const s3 = new S3Client({ region: "us-east-1", endpoint: "http://127.0.0.1:4999", forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
const storage = new S3MediaStorage(s3, "media-bucket");

describe("S3MediaStorage presigning (no network)", () => {
  it("builds a POST policy that pins the key and content type and caps the length", async () => {
    const upload = await storage.presignPost("media/1/a.png", "image/png", 500, 60);
    if (upload.method !== "POST") throw new Error("expected a POST form");
    expect(upload.url).toBe("http://127.0.0.1:4999/media-bucket");
    expect(upload.fields).toMatchObject({ key: "media/1/a.png", "Content-Type": "image/png", "X-Amz-Algorithm": "AWS4-HMAC-SHA256" });
    const policy = JSON.parse(Buffer.from(upload.fields.Policy ?? "", "base64").toString("utf8"));
    expect(policy.conditions).toEqual(expect.arrayContaining([["eq", "$Content-Type", "image/png"], ["content-length-range", 1, 500], { key: "media/1/a.png" }]));
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
    const url = new URL(await new S3DownloadSigner(s3, "media-bucket", () => now).sign("media/1/a.png", new Date(now.getTime() + 300_000)));
    expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
  });
});
