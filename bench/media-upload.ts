/**
 * Upload → stored → download on a running local stack, printed as figures (never asserted).
 * Usage: npm run local:up, then `npx tsx bench/media-upload.ts [count]` with the same env.
 */
import * as z from "zod";
import { localToken } from "../localstack/token.js";
import { localApi, localOutputs, runBench } from "./support/http.js";

const upload = z.object({ id: z.string(), url: z.string(), fields: z.record(z.string(), z.string()) });
const info = z.object({ status: z.string() });
const link = z.object({ url: z.string() });
/** How long an upload may stay pending before the bench gives up on it (the processor never ran). */
const STORED_TIMEOUT_MS = 60_000;

/** A plain fetch (to S3, not the API) that must answer 2xx; anything else ends the bench with its status and body. */
async function mustFetch(what: string, url: string, init: RequestInit = {}): Promise<void> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${what} ${url} answered ${response.status}:\n${text.slice(0, 2_000)}`);
}

runBench(async () => {
  const outputs = localOutputs();
  const api = localApi(outputs.apiUrl, await localToken({ sub: "bench" }, outputs));
  const count = Number(process.argv[2] ?? 10);

  const figures: { create: number; upload: number; stored: number; link: number }[] = [];
  for (let i = 0; i < count; i++) {
    const body = new TextEncoder().encode(`bench ${i} ${"x".repeat(1000)}`);
    const t0 = performance.now();
    const created = await api.post(upload, "/media/uploads", {
      filename: "b.txt",
      contentType: "text/plain",
      size: body.byteLength,
    });
    const t1 = performance.now();
    const form = new FormData();
    for (const [k, v] of Object.entries(created.fields)) form.append(k, v);
    form.append("file", new Blob([body], { type: "text/plain" }));
    await mustFetch("upload to", created.url, { method: "POST", body: form });
    const t2 = performance.now();
    while ((await api.get(info, `/media/${created.id}/info`)).status === "pending") {
      if (performance.now() - t2 > STORED_TIMEOUT_MS) {
        throw new Error(`media ${created.id} still pending after ${STORED_TIMEOUT_MS / 1000} s`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    const t3 = performance.now();
    await mustFetch("download from", (await api.get(link, `/media/${created.id}`)).url);
    const t4 = performance.now();
    figures.push({ create: t1 - t0, upload: t2 - t1, stored: t3 - t2, link: t4 - t3 });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  for (const key of ["create", "upload", "stored", "link"] as const) {
    const values = figures.map((f) => f[key]);
    console.log(
      `${key.padEnd(7)} median ${median(values).toFixed(0)} ms  max ${Math.max(...values).toFixed(0)} ms  (n=${count})`,
    );
  }
});
