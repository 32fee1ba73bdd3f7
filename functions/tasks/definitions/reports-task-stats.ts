import { z } from "zod";
import { isAdmin } from "../../core/auth/principal.js";
import type { Database } from "../../core/db/database.js";
import { mediaService } from "../../media/from-env.js";
import { writeCsvReport } from "../../media/reports/write-report.js";
import { taskDepsFromEnv } from "../deps.js";
import { defineTask } from "../definition.js";

/**
 * A CSV of recent task statistics, stored as media the requester can download: the report pattern
 * end to end. Any user may ask for one; it is always written into the caller's own media, and counts
 * only the caller's own tasks (an admin's counts everyone's): other users' work is not theirs to see.
 */
export const taskStatsReport = defineTask({
  name: "reports.task-stats",
  access: "user",
  fromCaller: { owner: (caller) => caller.sub, everyone: (caller) => isAdmin(caller) },
  queue: "reports",
  payload: z.object({
    hours: z.number().int().min(1).max(24 * 90).default(24),
    owner: z.string().min(1),
    /** Count every user's tasks, not only the owner's; set from the token (admins only). */
    everyone: z.boolean().default(false),
  }),
  timeLimitSeconds: 120,
  run: async ({ hours, owner, everyone }, { progress }) => {
    const rows = await taskStats(taskDepsFromEnv().db, hours, everyone ? undefined : owner);
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
