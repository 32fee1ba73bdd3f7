import { z } from "zod";
import type { Database } from "../../core/db/database.js";
import { mediaService } from "../../media/from-env.js";
import { writeCsvReport } from "../../media/reports/write-report.js";
import { taskDepsFromEnv } from "../deps.js";
import { defineTask } from "../definition.js";

/** A CSV of recent task statistics, stored as media the requester can download: the report pattern end to end. */
export const taskStatsReport = defineTask({
  name: "reports.task-stats",
  queue: "reports",
  payload: z.object({ hours: z.number().int().min(1).max(24 * 90).default(24), owner: z.string().min(1) }),
  timeLimitSeconds: 120,
  run: async ({ hours, owner }, { progress }) => {
    const rows = await taskStats(taskDepsFromEnv().db, hours);
    await progress(50, `${rows.length} rows`);
    const media = await writeCsvReport(mediaService(), {
      owner,
      filename: `task-stats-${new Date().toISOString().slice(0, 10)}.csv`,
      header: ["task", "status", "count", "avg_seconds"],
      rows: rows.map((r) => [r.name, r.status, r.count, r.avgSeconds]),
    });
    return { mediaId: media.id, rows: rows.length };
  },
});

export interface TaskStatsRow {
  name: string;
  status: string;
  count: number;
  avgSeconds: number | null;
}

/** Counts and mean run time by name and status over the last `hours`. make_interval takes int; the Data API sends bigint. */
export async function taskStats(db: Database, hours: number): Promise<TaskStatsRow[]> {
  return db.rows<TaskStatsRow>(
    `SELECT name, status, count(*)::int AS count,
            round(avg(extract(epoch FROM finished_at - started_at))::numeric, 3)::float8 AS "avgSeconds"
       FROM tasks WHERE created_at >= now() - make_interval(hours => :hours::int)
      GROUP BY name, status ORDER BY name, status`,
    { hours },
  );
}
