import { z } from "zod";
import { taskDepsFromEnv } from "../deps.js";
import { defineTask } from "../definition.js";

/** Idempotency keys protect against retried requests, not forever: free them once a task is long finished. */
export const expireIdempotencyKeys = defineTask({
  name: "housekeeping.expire-idempotency-keys",
  payload: z.object({ olderThanHours: z.number().int().min(1).max(24 * 365) }),
  run: async ({ olderThanHours }) => {
    const { db } = taskDepsFromEnv();
    const { updated } = await db.query(
      `UPDATE tasks SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL AND finished_at < now() - make_interval(hours => :hours)`,
      { hours: olderThanHours },
    );
    return { keysFreed: updated };
  },
});
