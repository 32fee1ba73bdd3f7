import type { Database } from "../../core/db/database.js";
import { dailyDigestTask } from "../declarations/reports-daily-digest.js";
import { implementTask } from "../definition.js";

export const dailyDigest = implementTask(dailyDigestTask, async ({ hours }, { logger, db }) => {
  const rows = await taskCountsSince(db, hours);
  logger.info("Daily digest", { rows });
  return { hours, counts: rows };
});

/** Tasks created in the last `hours`, counted by name and status. make_interval takes int; the Data API sends bigint. */
export async function taskCountsSince(
  db: Database,
  hours: number,
): Promise<{ name: string; status: string; count: number }[]> {
  return db.rows<{ name: string; status: string; count: number }>(
    `SELECT name, status, count(*)::int AS count FROM tasks
      WHERE created_at >= now() - make_interval(hours => :hours::int) GROUP BY name, status ORDER BY name, status`,
    { hours },
  );
}
