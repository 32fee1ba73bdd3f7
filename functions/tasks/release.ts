import type { TaskDeps } from "./deps.js";
import { sendTaskMessage } from "./messages.js";

/**
 * Sends the `scheduled` tasks whose runAt has come. One UPDATE claims them, so overlapping ticks
 * never send the same row twice; a message sent twice anyway is harmless, because the worker's
 * claim runs a task once. (Queued tasks whose message was lost are the reconciler's job:
 * reconcile.ts.)
 */
export async function releaseScheduledTasks(deps: TaskDeps, limit = 500): Promise<number> {
  const rows = await deps.db.rows<{ id: string; name: string; queue: string }>(
    `UPDATE tasks SET status = 'queued', updated_at = now(), wake_due_at = now()
     WHERE id IN (
       SELECT id FROM tasks
       WHERE status = 'scheduled' AND run_at <= :now
       ORDER BY run_at
       LIMIT :limit
       FOR UPDATE SKIP LOCKED)
     RETURNING id, name, queue`,
    { now: deps.now(), limit },
  );
  for (const row of rows) await sendTaskMessage(deps, row.queue, { taskId: row.id, name: row.name });
  return rows.length;
}
