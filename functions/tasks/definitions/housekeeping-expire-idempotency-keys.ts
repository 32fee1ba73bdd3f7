import { z } from "zod";
import type { Database } from "../../core/db/database.js";
import { taskDepsFromEnv } from "../deps.js";
import { defineTask } from "../definition.js";

/** Idempotency keys protect against retried requests, not forever: free them once a task is long finished. */
export const expireIdempotencyKeys = defineTask({
  name: "housekeeping.expire-idempotency-keys",
  access: "internal",
  payload: z.object({ olderThanHours: z.number().int().min(1).max(24 * 365) }),
  run: async ({ olderThanHours }) => ({ keysFreed: await freeIdempotencyKeys(taskDepsFromEnv().db, olderThanHours) }),
});

/** How many keys were freed. The Data API sends whole numbers as bigint, and make_interval takes int: hence the cast. */
export async function freeIdempotencyKeys(db: Database, olderThanHours: number): Promise<number> {
  const { updated } = await db.query(
    `UPDATE tasks SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL AND finished_at < now() - make_interval(hours => :hours::int)`,
    { hours: olderThanHours },
  );
  return updated;
}
