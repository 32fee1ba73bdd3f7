import * as z from "zod";
import { declareTask } from "../definition.js";

/**
 * A task longer than Lambda's 15 minutes, with the limits a Celery team sets for its longest work
 * (soft 25, hard 30 minutes): it runs on the container queue `long`. It waits `seconds` in steps,
 * reporting progress, and echoes its message with the attempt that finished it. Admins only.
 */
export const diagnosticsLongEchoTask = declareTask({
  name: "diagnostics.long-echo",
  access: "admin",
  queue: "long",
  payload: z.object({
    message: z.string().max(10_000),
    seconds: z.number().int().min(0).max(3600),
  }),
  timeLimitSeconds: 1500,
  hardTimeLimitSeconds: 1800,
  retry: { maxAttempts: 3, baseSeconds: 1, maxSeconds: 10 },
});
