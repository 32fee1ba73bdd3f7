import type { TaskDeps } from "./deps.js";
import { sendTaskMessage } from "./messages.js";

/** A queued task that has not started after this long has probably lost its message (a crash after the insert). */
const STALE_QUEUED_MINUTES = 10;

/**
 * Sends the tasks whose time has come: `scheduled` ones past their runAt, and `queued` ones whose
 * message was lost. One UPDATE claims them, so overlapping ticks never send the same row twice;
 * a message sent twice anyway is harmless, because the worker's claim runs a task once.
 */
export async function releaseScheduledTasks(deps: TaskDeps, limit = 500): Promise<number> {
  const rows = await deps.db.rows<{ id: string; name: string; queue: string }>(
    `UPDATE tasks SET status = 'queued', updated_at = now()
     WHERE id IN (
       SELECT id FROM tasks
       WHERE (status = 'scheduled' AND run_at <= :now)
          OR (status = 'queued' AND started_at IS NULL AND updated_at < :staleBefore AND (run_at IS NULL OR run_at <= :now))
       ORDER BY run_at NULLS FIRST
       LIMIT :limit
       FOR UPDATE SKIP LOCKED)
     RETURNING id, name, queue`,
    { now: deps.now(), staleBefore: new Date(deps.now().getTime() - STALE_QUEUED_MINUTES * 60_000), limit },
  );
  for (const row of rows) await sendTaskMessage(deps, row.queue, { taskId: row.id, name: row.name });
  return rows.length;
}
