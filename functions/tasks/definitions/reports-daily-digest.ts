import { z } from "zod";
import { taskDepsFromEnv } from "../deps.js";
import { defineTask } from "../definition.js";

/** A digest of the last day's work: how many tasks of each name ended in each status. */
export const dailyDigest = defineTask({
  name: "reports.daily-digest",
  queue: "reports",
  payload: z.object({ hours: z.number().int().min(1).max(24 * 31) }),
  run: async ({ hours }, { logger }) => {
    const { db } = taskDepsFromEnv();
    const rows = await db.rows<{ name: string; status: string; count: number }>(
      `SELECT name, status, count(*)::int AS count FROM tasks
        WHERE created_at >= now() - make_interval(hours => :hours) GROUP BY name, status ORDER BY name, status`,
      { hours },
    );
    logger.info("Daily digest", { rows });
    return { hours, counts: rows };
  },
});
