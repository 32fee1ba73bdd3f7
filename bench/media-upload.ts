/**
 * Upload → stored → download on a running local stack, printed as figures (never asserted).
 * Usage: npm run local:up, then `npx tsx bench/media-upload.ts [count]` with the same env.
 */
import { readFileSync } from "node:fs";
import { outputsFile } from "../localstack/env.js";
import { localToken } from "../localstack/token.js";

const outputs = JSON.parse(readFileSync(outputsFile, "utf8")) as Record<string, string>;
const token = await localToken({ sub: "bench" });
const count = Number(process.argv[2] ?? 10);
const call = async (path: string, init: RequestInit = {}) =>
  (await fetch(`${outputs.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } })).json() as Promise<any>;

const figures: { create: number; upload: number; stored: number; link: number }[] = [];
for (let i = 0; i < count; i++) {
  const body = new TextEncoder().encode(`bench ${i} ${"x".repeat(1000)}`);
  const t0 = performance.now();
  const created = await call("/media/uploads", { method: "POST", body: JSON.stringify({ filename: "b.txt", contentType: "text/plain", size: body.byteLength }) });
  const t1 = performance.now();
  const form = new FormData();
  for (const [k, v] of Object.entries(created.fields as Record<string, string>)) form.append(k, v);
  form.append("file", new Blob([body], { type: "text/plain" }));
  await fetch(created.url, { method: "POST", body: form });
  const t2 = performance.now();
  while ((await call(`/media/${created.id}/info`)).status === "pending") await new Promise((r) => setTimeout(r, 25));
  const t3 = performance.now();
  await fetch((await call(`/media/${created.id}`)).url);
  const t4 = performance.now();
  figures.push({ create: t1 - t0, upload: t2 - t1, stored: t3 - t2, link: t4 - t3 });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
for (const key of ["create", "upload", "stored", "link"] as const) {
  console.log(`${key.padEnd(7)} median ${median(figures.map((f) => f[key])).toFixed(0)} ms  max ${Math.max(...figures.map((f) => f[key])).toFixed(0)} ms  (n=${count})`);
}
