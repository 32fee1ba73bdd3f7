import * as z from "zod";
import { declareTask } from "../definition.js";

/** Idempotency keys protect against retried requests, not forever: free them once a task is long finished. */
export const expireIdempotencyKeysTask = declareTask({
  name: "housekeeping.expire-idempotency-keys",
  access: "internal",
  payload: z.object({
    olderThanHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 365),
  }),
});
