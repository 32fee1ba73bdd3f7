import { z } from "zod";
import type { Database } from "../../core/db/database.js";
import { taskDepsFromEnv } from "../deps.js";
import { defineTask } from "../definition.js";

/** A digest of the last day's work: how many tasks of each name ended in each status. */
export const dailyDigest = defineTask({
  name: "reports.daily-digest",
  access: "internal",
  queue: "reports",
  payload: z.object({ hours: z.number().int().min(1).max(24 * 31) }),
  run: async ({ hours }, { logger }) => {
    const rows = await taskCountsSince(taskDepsFromEnv().db, hours);
    logger.info("Daily digest", { rows });
    return { hours, counts: rows };
  },
});

/** Tasks created in the last `hours`, counted by name and status. make_interval takes int; the Data API sends bigint. */
export async function taskCountsSince(db: Database, hours: number): Promise<{ name: string; status: string; count: number }[]> {
  return db.rows<{ name: string; status: string; count: number }>(
    `SELECT name, status, count(*)::int AS count FROM tasks
      WHERE created_at >= now() - make_interval(hours => :hours::int) GROUP BY name, status ORDER BY name, status`,
    { hours },
  );
}
