/**
 * The API latency of an item update whose project has 50 subscribers, inline (the request sends the
 * 50 emails) beside async (the request enqueues one `notifications.send` task), measured in the same
 * run, in interleaved pairs, on the running local stack. Figures are printed, never asserted.
 * Usage: npm run local:up, then `flock /tmp/gc/integration.lock npx tsx bench/notifications.ts [pairs]`.
 */
import * as z from "zod";
import { localToken } from "../localstack/token.js";
import { localOutputs, requestJson, runBench } from "./support/http.js";

const SUBSCRIBERS = 50;
const project = z.object({ id: z.string() });
const itemAnswer = z.object({
  item: z.object({ id: z.string() }),
  notification: z.object({ mode: z.enum(["inline", "async"]) }).loose(),
});
const setting = z.object({ override: z.unknown() });
const anything = z.unknown();

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

runBench(async () => {
  const outputs = localOutputs();
  const pairs = Number(process.argv[2] ?? 20);
  const run = Date.now().toString(36);
  const as = async (sub: string, admin = false) => {
    const headers = {
      authorization: `Bearer ${await localToken({ sub, admin }, outputs)}`,
      "content-type": "application/json",
    };
    return <T>(schema: z.ZodType<T>, method: string, path: string, body?: unknown) =>
      requestJson(schema, `${outputs.apiUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
  };
  const user = await as("bench");
  const admin = await as("bench-admin", true);

  const withSubscribers = async (name: string) => {
    const { id } = await user(project, "POST", "/projects", { name: `${name} ${run}` });
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const email = `s${i}-${name}-${run}@example.com`;
      await user(anything, "POST", `/projects/${id}/members`, { userId: email, email });
    }
    const { item } = await user(itemAnswer, "POST", `/projects/${id}/items`, { title: "bench" });
    return { id, item: item.id };
  };
  const inline = await withSubscribers("inline");
  const queued = await withSubscribers("async");
  const before = await admin(setting, "GET", "/settings/notifications");
  await admin(anything, "PATCH", "/settings/notifications", { async: [queued.id] });

  const times = { inline: [] as number[], async: [] as number[] };
  const update = async (mode: "inline" | "async", round: number) => {
    const target = mode === "inline" ? inline : queued;
    const started = performance.now();
    const answer = await user(itemAnswer, "PATCH", `/projects/${target.id}/items/${target.item}`, {
      body: `round ${round}`,
    });
    const elapsed = performance.now() - started;
    if (answer.notification.mode !== mode)
      throw new Error(`expected ${mode}, the API answered ${answer.notification.mode}`);
    if (round >= 0) times[mode].push(elapsed);
  };
  try {
    // Two warm-up rounds each (cold Lambda, first SES client), not counted.
    for (const round of [-1, -2]) {
      await update("inline", round);
      await update("async", round);
    }
    for (let round = 0; round < pairs; round++) {
      // Alternate which goes first, so neither always follows the other's background work.
      const order: ("inline" | "async")[] = round % 2 === 0 ? ["inline", "async"] : ["async", "inline"];
      for (const mode of order) await update(mode, round);
    }
  } finally {
    await admin(anything, "PATCH", "/settings/notifications", { async: before.override ?? null });
  }

  const inlineSorted = [...times.inline].sort((a, b) => a - b);
  const asyncSorted = [...times.async].sort((a, b) => a - b);
  const ratios = times.inline.map((t, i) => t / (times.async[i] ?? Number.NaN)).sort((a, b) => a - b);
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  console.log(`[notifications] item update, ${SUBSCRIBERS} subscribers, ${pairs} interleaved pairs`);
  console.log(
    `  median: inline ${ms(quantile(inlineSorted, 0.5))} | async ${ms(quantile(asyncSorted, 0.5))}` +
      `   p90: inline ${ms(quantile(inlineSorted, 0.9))} | async ${ms(quantile(asyncSorted, 0.9))}`,
  );
  console.log(
    `  inline / async, per pair: median ${quantile(ratios, 0.5).toFixed(1)}x (p10 ${quantile(ratios, 0.1).toFixed(1)}x, p90 ${quantile(ratios, 0.9).toFixed(1)}x)`,
  );
});
