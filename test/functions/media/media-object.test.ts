import { describe, expect, it } from "vitest";
import {
  checksumFromEtag,
  isAllowedContentType,
  objectKeyFor,
  stagedUploadId,
  stagingKeyFor,
  storedKeyId,
} from "../../../functions/media/media-object.js";

describe("objectKeyFor", () => {
  it("keeps a readable name under the id and drops anything that would need escaping or climb folders", () => {
    expect(objectKeyFor("abc", "report 2026.csv")).toBe("media/abc/report_2026.csv");
    expect(objectKeyFor("abc", "../../etc/passwd")).toBe("media/abc/passwd");
    expect(objectKeyFor("abc", "C:\\Users\\me\\photo.png")).toBe("media/abc/photo.png");
    expect(objectKeyFor("abc", ".htaccess")).toBe("media/abc/_htaccess");
    expect(objectKeyFor("abc", "日本.txt")).toBe("media/abc/_.txt");
    expect(objectKeyFor("abc", "/")).toBe("media/abc/file");
  });
});

describe("staging keys", () => {
  const id = "0f0e0d0c-0000-4000-8000-000000000001";

  it("puts each upload under media/incoming/<id>, apart from every stored file's key", () => {
    expect(stagingKeyFor(id)).toBe(`media/incoming/${id}`);
    expect(stagedUploadId(stagingKeyFor(id))).toBe(id);
    expect(stagedUploadId(objectKeyFor(id, "a.txt"))).toBeUndefined();
    expect(stagedUploadId(`media/incoming/${id}/more`)).toBeUndefined();
    expect(stagedUploadId("media/incoming/not-a-uuid")).toBeUndefined();
    expect(storedKeyId(objectKeyFor(id, "a.txt"))).toBe(id);
    expect(storedKeyId(stagingKeyFor(id))).toBeUndefined();
  });
});

describe("isAllowedContentType", () => {
  it("matches exact types case-insensitively and wildcard subtypes", () => {
    expect(isAllowedContentType("image/PNG", ["image/png"])).toBe(true);
    expect(isAllowedContentType("image/webp", ["image/*"])).toBe(true);
    expect(isAllowedContentType("imagex/webp", ["image/*"])).toBe(false);
    expect(isAllowedContentType("text/html", ["text/plain", "text/csv"])).toBe(false);
  });
});

describe("checksumFromEtag", () => {
  it("reads a single-part ETag as MD5 and keeps anything else as an opaque ETag", () => {
    expect(checksumFromEtag('"9E107D9D372BB6826BD81D3542A419D6"')).toBe("md5:9e107d9d372bb6826bd81d3542a419d6");
    expect(checksumFromEtag("d41d8cd98f00b204e9800998ecf8427e-3")).toBe("etag:d41d8cd98f00b204e9800998ecf8427e-3");
  });
});
