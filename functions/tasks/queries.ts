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
  /** Only tasks this user created (a non-admin caller, or the user an admin asked for); unset for everyone's. */
  createdBy?: string;
  limit: number;
  cursor?: string;
}

/** Newest first, paged with an opaque keyset cursor (created_at, id) that stays stable while tasks are added. */
export async function listTasks(
  db: Database,
  filter: TaskFilter,
): Promise<{ tasks: TaskRecord[]; nextCursor: string | null }> {
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

const isoTimestamp = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?Z$/;
/** Far more than a cursor this API writes (about 70 characters); anything longer is not one of ours. */
const MAX_CURSOR_LENGTH = 200;

/**
 * A cursor is only what encodeCursor wrote: base64url of a JSON pair of a real UTC timestamp and a
 * uuid. Anything else, including a well-shaped date that does not exist ("2026-02-30"), is a 400
 * here instead of an error from PostgreSQL's cast.
 */
function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const decoded =
    cursor.length <= MAX_CURSOR_LENGTH && /^[A-Za-z0-9_-]+$/.test(cursor) ? parseCursor(cursor) : undefined;
  if (!decoded) throw new ValidationError("Invalid request", ["query.cursor: not a cursor this API returned"]);
  return decoded;
}

function parseCursor(cursor: string): { createdAt: string; id: string } | undefined {
  let pair: unknown;
  try {
    pair = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(pair) || pair.length !== 2) return undefined;
  const [createdAt, id] = pair as unknown[];
  if (typeof createdAt !== "string" || !isRealTimestamp(createdAt) || typeof id !== "string" || !isUuid(id))
    return undefined;
  return { createdAt, id };
}

/** The pattern alone lets through month 13 or 25:61; a real instant reads back as the same fields. */
function isRealTimestamp(value: string): boolean {
  const match = isoTimestamp.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year); // Date.UTC reads years 0-99 as 1900-1999.
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  );
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
