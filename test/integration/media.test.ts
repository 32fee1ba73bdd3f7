import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../functions/contracts/config/load.js";
import { localToken } from "../../localstack/token.js";
import { api, outputs } from "./outputs.js";

const limits = loadConfig("local").media;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** The S3 event reaches the processor through SQS: poll the row until it settles. */
async function settled(
  token: string,
  id: string,
): Promise<{ status: string; sizeBytes: number | null; checksum: string | null }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { body } = await api(`/media/${id}/info`, { headers: auth(token) });
    if (body.status !== "pending") return body;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`media ${id} stayed pending: did the S3 notification reach the processor?`);
}

async function postForm(
  url: string,
  fields: Record<string, string>,
  bytes: Uint8Array,
  contentType: string,
): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", new Blob([bytes], { type: contentType }));
  return fetch(url, { method: "POST", body: form });
}

describe("media on the deployed local stack", () => {
  let alice: string;
  let bob: string;
  let admin: string;
  const bytes = new TextEncoder().encode(`hello from groundcrew ${Date.now()}\n`);

  beforeAll(async () => {
    [alice, bob, admin] = await Promise.all([
      localToken({ sub: "alice" }),
      localToken({ sub: "bob" }),
      localToken({ sub: "ops", admin: true }),
    ]);
  });

  async function uploadWithForm(token: string, data: Uint8Array, filename = "hello.txt"): Promise<string> {
    const created = await api("/media/uploads", {
      method: "POST",
      headers: auth(token),
      body: JSON.stringify({ filename, contentType: "text/plain", size: data.byteLength }),
    });
    expect(created.status).toBe(201);
    const upload = await postForm(created.body.url, created.body.fields, data, "text/plain");
    expect(upload.status).toBe(204);
    return created.body.id;
  }

  it("answers 401 to anonymous callers", async () => {
    expect(
      (
        await api("/media/uploads", {
          method: "POST",
          body: JSON.stringify({ filename: "a.txt", contentType: "text/plain", size: 1 }),
        })
      ).status,
    ).toBe(401);
    expect((await api("/media/00000000-0000-4000-8000-000000000000")).status).toBe(401);
  });

  it("uploads through the presigned POST form and downloads the same bytes through the signed URL", async () => {
    const id = await uploadWithForm(alice, bytes);
    const info = await settled(alice, id);
    expect(info).toMatchObject({
      status: "stored",
      sizeBytes: bytes.byteLength,
      checksum: `md5:${createHash("md5").update(bytes).digest("hex")}`,
    });
    const link = await api(`/media/${id}`, { headers: auth(alice) });
    expect(link.status).toBe(200);
    expect(Date.parse(link.body.expiresAt) - Date.now()).toBeLessThanOrEqual(limits.urlTtlSeconds * 1000);
    const download = await fetch(link.body.url);
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);

    const redirect = await api(`/media/${id}?redirect=1`, { headers: auth(alice), redirect: "manual" });
    expect(redirect.status).toBe(302);
    expect((await fetch(String(redirect.headers.get("location")))).status).toBe(200);
  });

  it("uploads through a presigned PUT URL too", async () => {
    const created = await api("/media/uploads", {
      method: "POST",
      headers: auth(alice),
      body: JSON.stringify({ filename: "put.txt", contentType: "text/plain", size: bytes.byteLength, method: "PUT" }),
    });
    expect(created.status).toBe(201);
    const put = await fetch(created.body.url, { method: "PUT", headers: created.body.headers, body: bytes });
    expect(put.status).toBe(200);
    expect(await settled(alice, created.body.id)).toMatchObject({ status: "stored", sizeBytes: bytes.byteLength });
  });

  it("hides one user's file from another (404) and shows it to an admin", async () => {
    const id = await uploadWithForm(alice, bytes);
    await settled(alice, id);
    expect((await api(`/media/${id}`, { headers: auth(bob) })).status).toBe(404);
    expect((await api(`/media/${id}`, { method: "DELETE", headers: auth(bob) })).status).toBe(404);
    expect((await api(`/media/${id}`, { headers: auth(admin) })).status).toBe(200);
  });

  it("refuses a tampered signed URL, and the same URL once it has expired", async () => {
    const id = await uploadWithForm(alice, bytes);
    await settled(alice, id);
    const { body } = await api(`/media/${id}`, { headers: auth(alice) });
    const url = new URL(body.url);
    const signature = url.searchParams.get("X-Amz-Signature") as string;
    const tampered = new URL(url);
    tampered.searchParams.set("X-Amz-Signature", `${signature.slice(0, -1)}${signature.endsWith("0") ? "1" : "0"}`);
    expect((await fetch(tampered)).status).toBe(403);
    const otherKey = new URL(url);
    otherKey.pathname = otherKey.pathname.replace(/[^/]+$/, "other.txt");
    expect((await fetch(otherKey)).status).toBe(403);
    expect((await fetch(url)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(body.expiresAt) - Date.now() + 1500));
    expect((await fetch(url)).status).toBe(403);
  });

  it("refuses oversize uploads: at the API, in the POST policy, in the PUT signature, and after the fact in the processor", async () => {
    const tooBig = await api("/media/uploads", {
      method: "POST",
      headers: auth(alice),
      body: JSON.stringify({ filename: "big.txt", contentType: "text/plain", size: limits.maxUploadBytes + 1 }),
    });
    expect(tooBig.status).toBe(413);

    const created = await api("/media/uploads", {
      method: "POST",
      headers: auth(alice),
      body: JSON.stringify({ filename: "small.txt", contentType: "text/plain", size: 10 }),
    });
    const overPolicy = await postForm(created.body.url, created.body.fields, new Uint8Array(11).fill(65), "text/plain");
    expect(overPolicy.status).toBe(400);
    expect(await overPolicy.text()).toMatch(/EntityTooLarge/);

    const put = await api("/media/uploads", {
      method: "POST",
      headers: auth(alice),
      body: JSON.stringify({ filename: "p.txt", contentType: "text/plain", size: 10, method: "PUT" }),
    });
    expect(
      (await fetch(put.body.url, { method: "PUT", headers: put.body.headers, body: new Uint8Array(11).fill(65) }))
        .status,
    ).toBe(403);

    // A writer that bypasses the presigned request (the emulator lets any credentials write): the processor deletes it.
    const { endpoint, MediaBucketName } = outputs();
    const s3 = new S3Client({
      endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const key = new URL(put.body.url).pathname.split("/").slice(2).join("/");
    await s3.send(
      new PutObjectCommand({
        Bucket: MediaBucketName,
        Key: key,
        Body: new Uint8Array(limits.maxUploadBytes + 1),
        ContentType: "text/plain",
      }),
    );
    expect(await settled(alice, put.body.id)).toMatchObject({
      status: "rejected",
      sizeBytes: limits.maxUploadBytes + 1,
    });
    await expect(s3.send(new HeadObjectCommand({ Bucket: MediaBucketName, Key: key }))).rejects.toMatchObject({
      name: "NotFound",
    });
    expect((await api(`/media/${put.body.id}`, { headers: auth(alice) })).status).toBe(409);
  });

  it("deletes a file: the row and the object go, and the old link stops working", async () => {
    const id = await uploadWithForm(alice, bytes);
    await settled(alice, id);
    const { body } = await api(`/media/${id}`, { headers: auth(alice) });
    expect((await api(`/media/${id}`, { method: "DELETE", headers: auth(alice) })).status).toBe(204);
    expect((await api(`/media/${id}`, { headers: auth(alice) })).status).toBe(404);
    expect((await fetch(body.url)).status).toBe(404);
  });
});

describe("static site on the deployed local stack", () => {
  it("serves the repo's static files without authentication, with their content type and cache headers", async () => {
    const { StaticUrl } = outputs();
    expect(StaticUrl).toMatch(/index\.html$/);
    const page = await fetch(StaticUrl as string);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<h1>Groundcrew<\/h1>/);
    const css = await fetch(new URL("assets/app.5d41402a.css", StaticUrl));
    expect(css.status).toBe(200);
    expect(css.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });
});
