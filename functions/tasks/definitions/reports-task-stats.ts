import type { Database } from "../../core/db/database.js";
import { writeCsvReport } from "../../media/reports/write-report.js";
import { taskStatsReportTask } from "../declarations/reports-task-stats.js";
import { implementTask } from "../definition.js";

export const taskStatsReport = implementTask(
  taskStatsReportTask,
  async ({ hours, owner, everyone }, { progress, db, services }) => {
    const rows = await taskStats(db, hours, everyone ? undefined : owner);
    await progress(50, `${rows.length} rows`);
    const media = await writeCsvReport(services.media(), {
      owner,
      filename: `task-stats-${new Date().toISOString().slice(0, 10)}.csv`,
      header: ["task", "status", "count", "avg_seconds"],
      rows: rows.map((r) => [r.name, r.status, r.count, r.avgSeconds]),
    });
    return { mediaId: media.id, rows: rows.length };
  },
);

export interface TaskStatsRow {
  name: string;
  status: string;
  count: number;
  avgSeconds: number | null;
}

/**
 * Counts and mean run time by name and status over the last `hours`, of one user's tasks or, without
 * `createdBy`, of everyone's. make_interval takes int; the Data API sends bigint.
 */
export async function taskStats(db: Database, hours: number, createdBy?: string): Promise<TaskStatsRow[]> {
  return db.rows<TaskStatsRow>(
    `SELECT name, status, count(*)::int AS count,
            round(avg(extract(epoch FROM finished_at - started_at))::numeric, 3)::float8 AS "avgSeconds"
       FROM tasks WHERE created_at >= now() - make_interval(hours => :hours::int)
        AND (:createdBy::text IS NULL OR created_by = :createdBy)
      GROUP BY name, status ORDER BY name, status`,
    { hours, createdBy: createdBy ?? null },
  );
}
