import { uuid } from "../core/db/parameters.js";
import { ConflictError, NotFoundError } from "../core/errors.js";
import type { TaskDeps } from "./deps.js";
import { sendWakeUps } from "./messages.js";
import { findTask } from "./queries.js";
import { taskColumns, type TaskRecord } from "./task-record.js";

/**
 * What "run it again from the start" sets: attempts from zero, the old error and finish cleared,
 * and the wake-up due now (so a lost message is re-sent by the reconciler).
 */
const freshStart = `status = 'queued', attempts = 0, error = NULL, result = NULL, progress = NULL, progress_note = NULL,
  finished_at = NULL, started_at = NULL, dead_lettered_at = NULL, lease_expires_at = NULL, updated_at = now(), wake_due_at = now()`;

/**
 * A failed task may go back to the queue unless another active task of the same caller already holds
 * its unique key (the one-per-key promise of the unique index, checked here so the answer is a 409
 * and not a constraint error).
 */
const uniqueKeyFree = `NOT EXISTS (
  SELECT 1 FROM tasks other
   WHERE other.key_scope = tasks.key_scope AND other.unique_key = tasks.unique_key
     AND other.status IN ('queued', 'scheduled', 'running', 'retrying'))`;

export interface RetriedTask {
  task: TaskRecord;
  /** False when SQS refused the wake-up: the task is queued all the same and the reconciler sends it. */
  messageSent: boolean;
}

/**
 * Runs one failed task again (POST /tasks/{id}/retry). The row is the truth: once it says
 * `queued`, a wake-up that SQS refuses now is sent by the reconciler on a later beat.
 */
export async function retryFailedTask(deps: TaskDeps, id: string): Promise<RetriedTask> {
  const task = await deps.db.first<TaskRecord>(
    `UPDATE tasks SET ${freshStart}
      WHERE id = :id AND status = 'failed' AND ${uniqueKeyFree}
     RETURNING ${taskColumns}`,
    { id: uuid(id) },
  );
  if (!task) {
    const current = await findTask(deps.db, id);
    if (!current) throw new NotFoundError("No such task");
    if (current.status === "failed") throw new ConflictError("Another active task holds this task's unique key");
    throw new ConflictError(`Task is ${current.status}; only a failed task can be retried`);
  }
  const sent = await sendWakeUps(deps, task.queue, [task]);
  return { task, messageSent: sent.has(task.id) };
}

/**
 * Sets a queue's dead-lettered failed tasks back to queued (at most `limit`, oldest failure first)
 * and sends each a wake-up. Two failed tasks sharing a unique key: only the newest goes back.
 * Two redrives at once requeue each row once: the outer `status = 'failed'` is checked again on
 * the row the other redrive just changed (DISTINCT ON rules out FOR UPDATE in the subquery).
 */
export async function requeueDeadLettered(
  deps: TaskDeps,
  queue: string,
  limit: number,
): Promise<{ requeued: string[]; messaged: number }> {
  const rows = await deps.db.rows<{ id: string; name: string }>(
    `UPDATE tasks SET ${freshStart}
      WHERE status = 'failed' AND id IN (
        SELECT DISTINCT ON (key_scope, COALESCE(unique_key, id::text)) id FROM tasks
         WHERE queue = :queue AND status = 'failed' AND dead_lettered_at IS NOT NULL AND ${uniqueKeyFree}
         ORDER BY key_scope, COALESCE(unique_key, id::text), finished_at DESC
         LIMIT :limit)
     RETURNING id, name`,
    { queue, limit },
  );
  const sent = await sendWakeUps(deps, queue, rows);
  return { requeued: rows.map((r) => r.id), messaged: sent.size };
}
