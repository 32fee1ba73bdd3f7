import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IMMUTABLE_CACHE, REVALIDATE_CACHE, staticFiles } from "../../../functions/static-site/files.js";
import { uploadStaticFiles } from "../../../functions/static-site/upload/handler.js";

function site(): string {
  const root = mkdtempSync(join(tmpdir(), "static-"));
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), "<h1>hi</h1>");
  writeFileSync(join(root, "assets", "app.1234abcd.js"), "console.log(1)");
  writeFileSync(join(root, "blob.bin"), "x");
  return root;
}

describe("staticFiles", () => {
  it("lists every file with its content type, caching hashed assets for a year and revalidating the rest", () => {
    expect(
      staticFiles(site()).map(({ key, contentType, cacheControl }) => ({ key, contentType, cacheControl })),
    ).toEqual([
      { key: "assets/app.1234abcd.js", contentType: "text/javascript; charset=utf-8", cacheControl: IMMUTABLE_CACHE },
      { key: "blob.bin", contentType: "application/octet-stream", cacheControl: REVALIDATE_CACHE },
      { key: "index.html", contentType: "text/html; charset=utf-8", cacheControl: REVALIDATE_CACHE },
    ]);
  });
});

describe("uploadStaticFiles (local stage)", () => {
  it("puts each file with the same headers the prod deployment sets", async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    const keys = await uploadStaticFiles(new S3Client({ region: "us-east-1" }), "site", site());
    expect(keys).toEqual(["assets/app.1234abcd.js", "blob.bin", "index.html"]);
    const index = s3.commandCalls(PutObjectCommand).find((call) => call.args[0].input.Key === "index.html")
      ?.args[0].input;
    expect(index).toMatchObject({
      Bucket: "site",
      ContentType: "text/html; charset=utf-8",
      CacheControl: REVALIDATE_CACHE,
    });
    expect(Buffer.from(index?.Body as Uint8Array).toString("utf8")).toBe("<h1>hi</h1>");
    s3.restore();
  });
});
