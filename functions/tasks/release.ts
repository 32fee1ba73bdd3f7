import type { TaskDeps } from "./deps.js";
import { sendTaskMessages } from "./messages.js";

/**
 * Sends the `scheduled` tasks whose runAt has come. One UPDATE claims them, so overlapping ticks
 * never send the same row twice; a message sent twice anyway is harmless, because the worker's
 * claim runs a task once. The messages go ten per SendMessageBatch, several batches at once. A
 * message SQS refuses leaves its row queued with its wake-up due now: the reconciler sends it one
 * (reconcile.ts), as for any queued task whose message was lost.
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
  const byQueue = new Map<string, { taskId: string; name: string }[]>();
  for (const row of rows)
    byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), { taskId: row.id, name: row.name }]);
  await Promise.all([...byQueue].map(([queue, messages]) => sendTaskMessages(deps, queue, messages)));
  return rows.length;
}
