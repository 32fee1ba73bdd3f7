import type { Database } from "../core/db/database.js";
import { isUuid, text, uuid } from "../core/db/parameters.js";
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.js";
import type { TaskStatus } from "./definition.js";
import { taskColumns, type TaskRecord } from "./task-record.js";

export async function findTask(db: Database, id: string): Promise<TaskRecord | undefined> {
  return db.first<TaskRecord>(`SELECT ${taskColumns} FROM tasks WHERE id = :id`, { id: uuid(id) });
}

export interface TaskFilter {
  status?: TaskStatus;
  name?: string;
  /** Only tasks this caller created; unset for admins. */
  createdBy?: string;
  limit: number;
  cursor?: string;
}

/** Newest first, paged with an opaque keyset cursor (created_at, id) that stays stable while tasks are added. */
export async function listTasks(db: Database, filter: TaskFilter): Promise<{ tasks: TaskRecord[]; nextCursor: string | null }> {
  const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
  const rows = await db.rows<TaskRecord>(
    `SELECT ${taskColumns} FROM tasks
      WHERE (:status::text IS NULL OR status = :status)
        AND (:name::text IS NULL OR name = :name)
        AND (:createdBy::text IS NULL OR created_by = :createdBy)
        AND (:afterAt::timestamptz IS NULL OR (created_at, id) < (:afterAt::timestamptz, :afterId::uuid))
      ORDER BY created_at DESC, id DESC
      LIMIT :limit`,
    {
      status: filter.status ?? null,
      name: filter.name ?? null,
      createdBy: filter.createdBy ?? null,
      // The cursor keeps created_at's microseconds, which the TIMESTAMP hint (milliseconds) would cut: the SQL casts it.
      afterAt: text(after?.createdAt),
      afterId: uuid(after?.id),
      limit: filter.limit + 1,
    },
  );
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  return { tasks: page, nextCursor: rows.length > filter.limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString("base64url");
}

const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    if (typeof createdAt !== "string" || !isoTimestamp.test(createdAt) || typeof id !== "string" || !isUuid(id)) throw new Error("shape");
    return { createdAt, id };
  } catch {
    throw new ValidationError("Invalid request", ["query.cursor: not a cursor this API returned"]);
  }
}

/** Cancels a task that has not started; a running or finished task answers 409 with its status. */
export async function cancelTask(db: Database, id: string): Promise<TaskRecord> {
  const cancelled = await db.first<TaskRecord>(
    `UPDATE tasks SET status = 'cancelled', finished_at = now(), updated_at = now()
      WHERE id = :id AND status IN ('queued', 'scheduled', 'retrying')
     RETURNING ${taskColumns}`,
    { id: uuid(id) },
  );
  if (cancelled) return cancelled;
  const task = await findTask(db, id);
  if (!task) throw new NotFoundError("No such task");
  throw new ConflictError(`Task is ${task.status} and can no longer be cancelled`);
}
