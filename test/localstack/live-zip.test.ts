import { crc32, inflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { tableCrc32, zipFiles } from "../../localstack/live-zip.js";

/** Reads a zip back through its central directory, as Lambda's unzip does. */
function unzip(zip: Buffer): Record<string, Buffer> {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).toBe(0x06054b50);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    const compressedSize = zip.readUInt32LE(local + 18);
    const start = local + 30 + zip.readUInt16LE(local + 26);
    const data = inflateRawSync(zip.subarray(start, start + compressedSize));
    expect(data.length).toBe(size);
    expect(crc32(data)).toBe(zip.readUInt32LE(at + 16));
    files[name] = data;
    at += 46 + nameLength;
  }
  return files;
}

describe("zipFiles", () => {
  it("writes files that read back unchanged", () => {
    const bundle = Buffer.from("exports.handler = async () => 'ok';\n".repeat(500));
    const map = Buffer.from(JSON.stringify({ version: 3, sources: ["../functions/api/handler.ts"] }));
    expect(
      unzip(
        zipFiles([
          { name: "index.js", data: bundle },
          { name: "index.js.map", data: map },
        ]),
      ),
    ).toEqual({
      "index.js": bundle,
      "index.js.map": map,
    });
  });

  it("makes the same bytes from the same files", () => {
    const files = [{ name: "index.js", data: Buffer.from("1") }];
    expect(zipFiles(files).equals(zipFiles(files))).toBe(true);
  });

  it("computes the same CRC-32 as zlib without it", () => {
    const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256));
    expect(tableCrc32(data)).toBe(crc32(data));
  });
});
