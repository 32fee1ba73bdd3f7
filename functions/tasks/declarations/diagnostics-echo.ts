import * as z from "zod";
import { declareTask } from "../definition.js";

/**
 * Sleeps, fails its first `failTimes` attempts (or crashes its worker), then echoes: for smoke tests,
 * failure drills and benchmarks. Admins only; crashing the worker is a local-stage drill.
 */
export const diagnosticsEchoTask = declareTask({
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
});
