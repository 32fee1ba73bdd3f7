import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { MediaRepository } from "../../../functions/media/repository.js";
import { MediaService } from "../../../functions/media/service.js";
import { migratedDatabase } from "../../support/local-database.js";
import { FakeSigner, FakeStorage } from "./fakes.js";

const alice = { sub: "alice", roles: [] };
const bob = { sub: "bob", roles: [] };
const admin = { sub: "root", roles: ["admin"] };
const limits = { maxUploadBytes: 1000, allowedContentTypes: ["text/plain", "image/*"], urlTtlSeconds: 120 };
const now = new Date("2026-11-22T10:00:00.000Z");

describe("MediaService", () => {
  const t = migratedDatabase(["media_objects"]);
  let storage: FakeStorage;
  let service: MediaService;
  let ids: number;

  beforeEach(async () => {
    storage = new FakeStorage();
    ids = 0;
    service = new MediaService({
      repository: new MediaRepository(t.db),
      storage,
      signer: new FakeSigner(),
      limits,
      now: () => now,
      newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, "0")}`,
    });
  });

  /** What the bucket does when the client uploads: the object appears, then the S3 event arrives. */
  async function upload(key: string, body: string, contentType = "text/plain") {
    const bytes = new TextEncoder().encode(body);
    await storage.put(key, bytes, contentType);
    return service.objectCreated({ key, sizeBytes: bytes.byteLength, etag: createHash("md5").update(bytes).digest("hex") });
  }

  it("creates a pending row and a POST form limited to the declared type and size, expiring with the configured TTL", async () => {
    const ticket = await service.createUpload(alice, { filename: "notes.txt", contentType: "text/plain", size: 42 });
    expect(ticket).toMatchObject({ id: "00000000-0000-4000-8000-000000000001", method: "POST", expiresAt: "2026-11-22T10:02:00.000Z" });
    expect(storage.presigned).toEqual([{ method: "POST", key: "media/00000000-0000-4000-8000-000000000001/notes.txt", contentType: "text/plain", bytes: 42, expiresIn: 120 }]);
    expect(await service.describe(alice, ticket.id)).toMatchObject({ owner: "alice", status: "pending", sizeBytes: null, checksum: null });
  });

  it("offers a PUT URL instead when asked", async () => {
    const ticket = await service.createUpload(alice, { filename: "a.png", contentType: "image/png", size: 10, method: "PUT" });
    expect(ticket.method).toBe("PUT");
    expect(storage.presigned[0]).toMatchObject({ method: "PUT", bytes: 10, contentType: "image/png" });
  });

  it("refuses a type outside the allow-list (400) and a size over the limit (413) before writing anything", async () => {
    await expect(service.createUpload(alice, { filename: "x.html", contentType: "text/html", size: 5 })).rejects.toMatchObject({ statusCode: 400 });
    await expect(service.createUpload(alice, { filename: "x.txt", contentType: "text/plain", size: 1001 })).rejects.toMatchObject({ statusCode: 413 });
    expect(await t.db.rows("SELECT id FROM media_objects")).toEqual([]);
    expect(storage.presigned).toEqual([]);
  });

  it("marks an upload stored with its size and MD5 checksum when the S3 event arrives, and is idempotent", async () => {
    const { id } = await service.createUpload(alice, { filename: "notes.txt", contentType: "text/plain", size: 42 });
    const key = `media/${id}/notes.txt`;
    expect(await upload(key, "hello")).toBe("stored");
    expect(await upload(key, "hello")).toBe("stored");
    const media = await service.describe(alice, id);
    expect(media).toMatchObject({ status: "stored", sizeBytes: 5, checksum: `md5:${createHash("md5").update("hello").digest("hex")}` });
    expect(media.storedAt).toMatch(/Z$/);
  });

  it("deletes an object over the limit or of another type and rejects its row; a rejected row stays rejected", async () => {
    const big = await service.createUpload(alice, { filename: "big.txt", contentType: "text/plain", size: 10 });
    expect(await upload(`media/${big.id}/big.txt`, "x".repeat(1001))).toBe("rejected");
    expect(storage.deleted).toEqual([`media/${big.id}/big.txt`]);
    expect(await service.describe(alice, big.id)).toMatchObject({ status: "rejected", sizeBytes: 1001, checksum: null });

    const sneaky = await service.createUpload(alice, { filename: "s.txt", contentType: "text/plain", size: 10 });
    expect(await upload(`media/${sneaky.id}/s.txt`, "<script>", "text/html")).toBe("rejected");

    expect(await upload(`media/${big.id}/big.txt`, "small now")).toBe("rejected");
    expect(await service.describe(alice, big.id)).toMatchObject({ status: "rejected" });
    await expect(service.downloadLink(alice, big.id)).rejects.toMatchObject({ statusCode: 409 });
  });

  it("deletes objects no row owns, and shrugs at events for objects already gone", async () => {
    expect(await upload("media/nobody/x.txt", "hi")).toBe("orphan-deleted");
    expect(storage.deleted).toEqual(["media/nobody/x.txt"]);
    const { id } = await service.createUpload(alice, { filename: "n.txt", contentType: "text/plain", size: 5 });
    expect(await service.objectCreated({ key: `media/${id}/n.txt`, sizeBytes: 2, etag: "x" })).toBe("gone");
  });

  it("gives the owner and admins a short-lived link, everyone else a 404, and nothing before the upload is stored", async () => {
    const { id } = await service.createUpload(alice, { filename: "n.txt", contentType: "text/plain", size: 5 });
    await expect(service.downloadLink(alice, id)).rejects.toMatchObject({ statusCode: 409 });
    await upload(`media/${id}/n.txt`, "hello");
    expect(await service.downloadLink(alice, id)).toEqual({ url: `https://cdn.example/media/${id}/n.txt?expires=${now.getTime() / 1000 + 120}`, expiresAt: "2026-11-22T10:02:00.000Z" });
    expect((await service.downloadLink(admin, id)).url).toContain(id);
    await expect(service.downloadLink(bob, id)).rejects.toMatchObject({ statusCode: 404 });
    await expect(service.downloadLink(alice, "00000000-0000-4000-8000-999999999999")).rejects.toMatchObject({ statusCode: 404 });
  });

  it("deletes the object and the row for the owner or an admin only", async () => {
    const { id } = await service.createUpload(alice, { filename: "n.txt", contentType: "text/plain", size: 5 });
    await upload(`media/${id}/n.txt`, "hello");
    await expect(service.remove(bob, id)).rejects.toMatchObject({ statusCode: 404 });
    expect(storage.objects.has(`media/${id}/n.txt`)).toBe(true);
    await service.remove(admin, id);
    expect(storage.objects.has(`media/${id}/n.txt`)).toBe(false);
    await expect(service.describe(alice, id)).rejects.toMatchObject({ statusCode: 404 });
  });

  it("stores generated files synchronously with the same checksum form as uploads", async () => {
    const media = await service.storeGenerated("system", "stats.csv", "text/csv", new TextEncoder().encode("a,b\n1,2\n"));
    expect(media).toMatchObject({ status: "stored", sizeBytes: 8, checksum: `md5:${createHash("md5").update("a,b\n1,2\n").digest("hex")}`, contentType: "text/csv" });
    expect(new TextDecoder().decode(storage.objects.get(media.objectKey)?.body)).toBe("a,b\n1,2\n");
    await expect(service.storeGenerated("system", "huge.csv", "text/csv", new Uint8Array(1001))).rejects.toMatchObject({ statusCode: 413 });
  });
});
