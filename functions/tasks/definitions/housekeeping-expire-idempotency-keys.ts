import type { Database } from "../../core/db/database.js";
import { expireIdempotencyKeysTask } from "../declarations/housekeeping-expire-idempotency-keys.js";
import { implementTask } from "../definition.js";

export const expireIdempotencyKeys = implementTask(expireIdempotencyKeysTask, async ({ olderThanHours }, { db }) => ({
  keysFreed: await freeIdempotencyKeys(db, olderThanHours),
}));

/** How many keys were freed. The Data API sends whole numbers as bigint, and make_interval takes int: hence the cast. */
export async function freeIdempotencyKeys(db: Database, olderThanHours: number): Promise<number> {
  const { updated } = await db.query(
    `UPDATE tasks SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL AND finished_at < now() - make_interval(hours => :hours::int)`,
    { hours: olderThanHours },
  );
  return updated;
}
