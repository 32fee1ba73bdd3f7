import { z } from "zod";
import { defineTask } from "../definition.js";

/**
 * Sleeps, fails its first `failTimes` attempts (or crashes its worker), then echoes: for smoke tests,
 * failure drills and benchmarks. Admins only; crashing the worker is a local-stage drill.
 */
export const diagnosticsEcho = defineTask({
  name: "diagnostics.echo",
  access: "admin",
  localOnly: ["crashOnAttempt"],
  payload: z.object({
    message: z.string().max(10_000),
    sleepMs: z.number().int().min(0).max(60_000).optional(),
    failTimes: z.number().int().min(0).max(1000).optional(),
    /** Kills the worker process on this attempt, as an out-of-memory kill or a hard timeout would. */
    crashOnAttempt: z.number().int().min(1).max(1000).optional(),
  }),
  timeLimitSeconds: 25,
  retry: { maxAttempts: 3, baseSeconds: 1, maxSeconds: 10 },
  run: async ({ message, sleepMs = 0, failTimes = 0, crashOnAttempt }, { attempt, signal }) => {
    if (sleepMs > 0) await sleep(sleepMs, signal);
    if (attempt === crashOnAttempt) process.exit(137);
    if (attempt <= failTimes) throw new Error(`diagnostics.echo failing on purpose (attempt ${attempt} of ${failTimes} planned failures)`);
    return { message };
  },
});

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new Error("diagnostics.echo stopped at its soft time limit"));
    });
  });
}
