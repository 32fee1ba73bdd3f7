import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { stagingKeyFor } from "../../../functions/media/media-object.js";
import { MediaRepository } from "../../../functions/media/repository.js";
import { MediaService } from "../../../functions/media/service.js";
import { migratedDatabase } from "../../support/local-database.js";
import { etagOf, FakeSigner, FakeStorage } from "./fakes.js";

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

  const md5 = (text: string) => `md5:${createHash("md5").update(text).digest("hex")}`;

  /** What the bucket does when the client uploads with its form: the object appears under the form's key. */
  async function put(id: string, body: string, contentType = "text/plain") {
    const bytes = new TextEncoder().encode(body);
    await storage.put(stagingKeyFor(id), bytes, contentType);
    return { key: stagingKeyFor(id), sizeBytes: bytes.byteLength, etag: etagOf(bytes) };
  }

  /** An upload through the form, then its S3 event. */
  async function upload(id: string, body: string, contentType = "text/plain") {
    return service.objectCreated(await put(id, body, contentType));
  }

  it("creates a pending row and a POST form limited to the declared type and size, expiring with the configured TTL", async () => {
    const ticket = await service.createUpload(alice, { filename: "notes.txt", contentType: "text/plain", size: 42 });
    expect(ticket).toMatchObject({
      id: "00000000-0000-4000-8000-000000000001",
      method: "POST",
      expiresAt: "2026-11-22T10:02:00.000Z",
    });
    expect(storage.presigned).toEqual([
      {
        method: "POST",
        key: "media/incoming/00000000-0000-4000-8000-000000000001",
        contentType: "text/plain",
        bytes: 42,
        expiresIn: 120,
      },
    ]);
    expect(await service.describe(alice, ticket.id)).toMatchObject({
      owner: "alice",
      status: "pending",
      sizeBytes: null,
      checksum: null,
    });
  });

  it("offers a PUT URL instead when asked", async () => {
    const ticket = await service.createUpload(alice, {
      filename: "a.png",
      contentType: "image/png",
      size: 10,
      method: "PUT",
    });
    expect(ticket.method).toBe("PUT");
    expect(storage.presigned[0]).toMatchObject({ method: "PUT", bytes: 10, contentType: "image/png" });
  });

  it("refuses a type outside the allow-list (400) and a size over the limit (413) before writing anything", async () => {
    await expect(
      service.createUpload(alice, { filename: "x.html", contentType: "text/html", size: 5 }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      service.createUpload(alice, { filename: "x.txt", contentType: "text/plain", size: 1001 }),
    ).rejects.toMatchObject({ statusCode: 413 });
    expect(await t.db.rows("SELECT id FROM media_objects")).toEqual([]);
    expect(storage.presigned).toEqual([]);
  });

  it("copies an upload from its staging key to its final key, records size and MD5 checksum, and deletes the staging object", async () => {
    const { id } = await service.createUpload(alice, { filename: "notes.txt", contentType: "text/plain", size: 42 });
    const event = await put(id, "hello");
    expect(await service.objectCreated(event)).toBe("stored");
    const media = await service.describe(alice, id);
    expect(media).toMatchObject({
      status: "stored",
      sizeBytes: 5,
      checksum: md5("hello"),
      objectKey: `media/${id}/notes.txt`,
    });
    expect(media.storedAt).toMatch(/Z$/);
    expect([...storage.objects.keys()]).toEqual([`media/${id}/notes.txt`]);
    expect(storage.objects.get(`media/${id}/notes.txt`)).toMatchObject({
      contentType: "text/plain",
      contentDisposition: `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`,
    });
    // The copy's own event, and the same upload event delivered twice, change nothing.
    expect(await service.objectCreated({ key: `media/${id}/notes.txt`, sizeBytes: 5, etag: event.etag })).toBe(
      "already-stored",
    );
    expect(await service.objectCreated(event)).toBe("replay-discarded");
    expect(await service.describe(alice, id)).toMatchObject({
      status: "stored",
      checksum: md5("hello"),
      objectKey: `media/${id}/notes.txt`,
    });
    expect(storage.objects.has(`media/${id}/notes.txt`)).toBe(true);
  });

  it("keeps a stored file unchanged when its upload form is replayed: the replay is deleted unread", async () => {
    const ticket = await service.createUpload(alice, { filename: "notes.txt", contentType: "text/plain", size: 42 });
    // What S3 does with the form, whichever key it names, followed by the S3 event.
    const submitForm = async (text: string) => {
      const key = ticket.method === "POST" ? (ticket.fields.key as string) : "";
      const bytes = new TextEncoder().encode(text);
      await storage.put(key, bytes, "text/plain");
      return service.objectCreated({ key, sizeBytes: bytes.byteLength, etag: etagOf(bytes) });
    };
    expect(await submitForm("original")).toBe("stored");
    const before = await service.describe(alice, ticket.id);

    // The same form again within its TTL: S3 accepts it, but it can only reach the staging key.
    expect(await submitForm("REPLACED")).toBe("replay-discarded");
    const after = await service.describe(alice, ticket.id);
    expect(after).toEqual(before);
    expect(after.checksum).toBe(md5("original"));
    expect(new TextDecoder().decode(storage.objects.get(after.objectKey)?.body)).toBe("original");
    expect([...storage.objects.keys()]).toEqual([after.objectKey]);
    expect(storage.copies).toHaveLength(1);
  });

  it("stores once when two events for one upload race: the second finds the row locked, then stored", async () => {
    const { id } = await service.createUpload(alice, { filename: "n.txt", contentType: "text/plain", size: 42 });
    expect(await upload(id, "first")).toBe("stored");
    const stored = await service.describe(alice, id);
    // The racing event read the row before the first one committed: it still saw it pending.
    const repository = (service as unknown as { deps: { repository: MediaRepository } }).deps.repository;
    const findById = repository.findById.bind(repository);
    repository.findById = async () => ({
      ...stored,
      status: "pending",
      checksum: null,
      storedAt: null,
      objectKey: stagingKeyFor(id),
    });
    expect(await upload(id, "racing replay")).toBe("replay-discarded");
    repository.findById = findById;
    expect(await service.describe(alice, id)).toEqual(stored);
    expect(new TextDecoder().decode(storage.objects.get(stored.objectKey)?.body)).toBe("first");
    expect(storage.objects.has(stagingKeyFor(id))).toBe(false);
  });

  it("records the bytes it copied when a replay overtakes the first event, and retries when one lands between check and copy", async () => {
    const { id } = await service.createUpload(alice, { filename: "n.txt", contentType: "text/plain", size: 42 });
    const first = await put(id, "first");
    await put(id, "second");
    // The first event arrives after the second upload replaced the staging object: what is stored is what was checked.
    expect(await service.objectCreated(first)).toBe("stored");
    const media = await service.describe(alice, id);
    expect(media.checksum).toBe(md5("second"));
    expect(new TextDecoder().decode(storage.objects.get(media.objectKey)?.body)).toBe("second");

    const other = await service.createUpload(alice, { filename: "m.txt", contentType: "text/plain", size: 42 });
    const event = await put(other.id, "checked");
    const copy = storage.copy.bind(storage);
    storage.copy = async (from, to, ifMatch, headers) => {
      await storage.put(from, new TextEncoder().encode("swapped"), "text/plain");
      return copy(from, to, ifMatch, headers);
    };
    await expect(service.objectCreated(event)).rejects.toThrow(/changed while it was being stored/);
    expect(await service.describe(alice, other.id)).toMatchObject({ status: "pending", checksum: null });
    storage.copy = copy;
    expect(await service.objectCreated(event)).toBe("stored");
    expect(await service.describe(alice, other.id)).toMatchObject({ status: "stored", checksum: md5("swapped") });
  });

  it("deletes an object over the limit or of another type and rejects its row; a rejected row stays rejected", async () => {
    const big = await service.createUpload(alice, { filename: "big.txt", contentType: "text/plain", size: 10 });
    expect(await upload(big.id, "x".repeat(1001))).toBe("rejected");
    expect(storage.deleted).toEqual([stagingKeyFor(big.id)]);
    expect(await service.describe(alice, big.id)).toMatchObject({
      status: "rejected",
      sizeBytes: 1001,
      checksum: null,
    });

    const sneaky = await service.createUpload(alice, { filename: "s.txt", contentType: "text/plain", size: 10 });
    expect(await upload(sneaky.id, "<script>", "text/html")).toBe("rejected");

    expect(await upload(big.id, "small now")).toBe("rejected");
    expect(await service.describe(alice, big.id)).toMatchObject({ status: "rejected" });
    await expect(service.downloadLink(alice, big.id)).rejects.toMatchObject({ statusCode: 409 });
  });

  it("deletes objects no row owns, and shrugs at events for objects already gone", async () => {
    await storage.put("media/nobody/x.txt", new TextEncoder().encode("hi"), "text/plain");
    expect(await service.objectCreated({ key: "media/nobody/x.txt", sizeBytes: 2, etag: "x" })).toBe("orphan-deleted");
    expect(await upload("00000000-0000-4000-8000-999999999999", "hi")).toBe("orphan-deleted");
    expect(storage.deleted).toEqual(["media/nobody/x.txt", stagingKeyFor("00000000-0000-4000-8000-999999999999")]);
    const { id } = await service.createUpload(alice, { filename: "n.txt", contentType: "text/plain", size: 5 });
    expect(await service.objectCreated({ key: stagingKeyFor(id), sizeBytes: 2, etag: "x" })).toBe("gone");
    // An object written straight to a pending item's final key (only the bucket's own credentials can) is not trusted.
    await storage.put(`media/${id}/other.txt`, new TextEncoder().encode("hi"), "text/plain");
    expect(await service.objectCreated({ key: `media/${id}/other.txt`, sizeBytes: 2, etag: "x" })).toBe(
      "orphan-deleted",
    );
    expect(await service.objectCreated({ key: `media/${id}/n.txt`, sizeBytes: 2, etag: "x" })).toBe("in-progress");
  });

  it("gives the owner and admins a short-lived link, everyone else a 404, and nothing before the upload is stored", async () => {
    const { id } = await service.createUpload(alice, { filename: "n.txt", contentType: "text/plain", size: 5 });
    await expect(service.downloadLink(alice, id)).rejects.toMatchObject({ statusCode: 409 });
    await upload(id, "hello");
    expect(await service.downloadLink(alice, id)).toEqual({
      url: `https://cdn.example/media/${id}/n.txt?expires=${now.getTime() / 1000 + 120}`,
      expiresAt: "2026-11-22T10:02:00.000Z",
    });
    expect((await service.downloadLink(admin, id)).url).toContain(id);
    await expect(service.downloadLink(bob, id)).rejects.toMatchObject({ statusCode: 404 });
    await expect(service.downloadLink(alice, "00000000-0000-4000-8000-999999999999")).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it("deletes the object and the row for the owner or an admin only", async () => {
    const { id } = await service.createUpload(alice, { filename: "n.txt", contentType: "text/plain", size: 5 });
    await upload(id, "hello");
    await expect(service.describe(bob, id)).rejects.toMatchObject({ statusCode: 404 });
    await expect(service.remove(bob, id)).rejects.toMatchObject({ statusCode: 404 });
    expect(storage.objects.has(`media/${id}/n.txt`)).toBe(true);
    await service.remove(admin, id);
    expect(storage.objects.has(`media/${id}/n.txt`)).toBe(false);
    await expect(service.describe(alice, id)).rejects.toMatchObject({ statusCode: 404 });
  });

  it("stores a cleaned filename and derives the final key from it, never from the raw name", async () => {
    const cases: [string, string, string][] = [
      ["../../../etc/passwd", "passwd", "passwd"],
      ["..\\..\\boot.ini", "boot.ini", "boot.ini"],
      ["invoice\u202Efdp.exe", "invoicefdp.exe", "invoicefdp.exe"],
      ["..", "file", "file"],
      ["résumé 2026.pdf", "résumé 2026.pdf", "r_sum_2026.pdf"],
    ];
    for (const [raw, name, keyName] of cases) {
      const { id } = await service.createUpload(alice, { filename: raw, contentType: "text/plain", size: 5 });
      expect(await service.describe(alice, id)).toMatchObject({ filename: name, objectKey: stagingKeyFor(id) });
      await upload(id, "hello");
      expect(await service.describe(alice, id)).toMatchObject({
        status: "stored",
        filename: name,
        objectKey: `media/${id}/${keyName}`,
      });
    }
    const generated = await service.storeGenerated(
      "system",
      "../reports/../../x.csv",
      "text/csv",
      new TextEncoder().encode("a"),
    );
    expect(generated).toMatchObject({ filename: "x.csv", objectKey: `media/${generated.id}/x.csv` });
    expect(storage.objects.get(generated.objectKey)?.contentDisposition).toBe(
      `attachment; filename="x.csv"; filename*=UTF-8''x.csv`,
    );
  });

  it("lists the caller's own files for everyone, admins included, and every user's only through listAll, for admins", async () => {
    await t.db.query("DELETE FROM media_objects");
    const mine = await service.createUpload(alice, { filename: "a.txt", contentType: "text/plain", size: 5 });
    const bobs = await service.createUpload(bob, { filename: "b.txt", contentType: "text/plain", size: 5 });
    const admins = await service.createUpload(admin, { filename: "c.txt", contentType: "text/plain", size: 5 });
    expect((await service.list(alice)).map((m) => m.id)).toEqual([mine.id]);
    expect((await service.list(bob)).map((m) => m.id)).toEqual([bobs.id]);
    expect((await service.list(admin)).map((m) => m.id)).toEqual([admins.id]);
    expect((await service.listAll(admin)).map((m) => m.id).sort()).toEqual([mine.id, bobs.id, admins.id].sort());
    expect((await service.listAll(admin, { owner: "bob" })).map((m) => m.id)).toEqual([bobs.id]);
    await expect(service.listAll(alice)).rejects.toMatchObject({ statusCode: 403 });
  });

  it("stores generated files synchronously with the same checksum form as uploads", async () => {
    const media = await service.storeGenerated(
      "system",
      "stats.csv",
      "text/csv",
      new TextEncoder().encode("a,b\n1,2\n"),
    );
    expect(media).toMatchObject({
      status: "stored",
      sizeBytes: 8,
      checksum: `md5:${createHash("md5").update("a,b\n1,2\n").digest("hex")}`,
      contentType: "text/csv",
    });
    expect(new TextDecoder().decode(storage.objects.get(media.objectKey)?.body)).toBe("a,b\n1,2\n");
    // Its own S3 event arrives after it was recorded: nothing to do, nothing deleted.
    expect(await service.objectCreated({ key: media.objectKey, sizeBytes: 8, etag: "x" })).toBe("already-stored");
    expect(storage.deleted).toEqual([]);
    await expect(service.storeGenerated("system", "huge.csv", "text/csv", new Uint8Array(1001))).rejects.toMatchObject({
      statusCode: 413,
    });
  });
});
