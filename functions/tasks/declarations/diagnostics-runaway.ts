import * as z from "zod";
import { declareTask } from "../definition.js";

/**
 * A task that stops answering: it holds its process for `seconds` without yielding, so its soft
 * limit's AbortSignal cannot even be delivered. Only the hard limit (5 s) stops it: the runner kills
 * its process and records the attempt. For the runner's drills; admins only, two attempts.
 */
export const diagnosticsRunawayTask = declareTask({
  name: "diagnostics.runaway",
  access: "admin",
  queue: "long",
  payload: z.object({ seconds: z.number().int().min(1).max(60) }),
  timeLimitSeconds: 2,
  hardTimeLimitSeconds: 5,
  retry: { maxAttempts: 2, baseSeconds: 1, maxSeconds: 2 },
});
