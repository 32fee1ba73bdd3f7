import { json, uuid } from "../core/db/parameters.js";
import { PayloadTooLargeError, ValidationError } from "../core/errors.js";
import type { TaskDefinition, TaskStatus } from "./definition.js";
import type { TaskDeps } from "./deps.js";
import { sendTaskMessage } from "./messages.js";
import { getTask, taskNames } from "./registry.js";

/** SQS holds a message back for at most 15 minutes; anything later waits in the database. */
export const MAX_SQS_DELAY_SECONDS = 900;

export interface EnqueueRequest {
  name: string;
  payload: unknown;
  delaySeconds?: number;
  runAt?: Date;
  /** The same key returns the same task instead of a second one. */
  idempotencyKey?: string;
  /** Overrides the definition's unique key. */
  uniqueKey?: string;
  createdBy?: string;
}

export interface EnqueueResult {
  id: string;
  status: TaskStatus;
  /** True when an existing task was returned (same idempotency key, or same unique key still active). */
  duplicate: boolean;
}

export interface ValidatedTask {
  definition: TaskDefinition<unknown, unknown>;
  payload: unknown;
}

/** Checks a request against the registry and the task's schema; nothing is stored when this throws. */
export function validateTaskRequest(name: string, payload: unknown, maxPayloadBytes: number): ValidatedTask {
  const definition = getTask(name);
  if (!definition) throw new ValidationError("Invalid request", [`name: unknown task "${name}" (known: ${taskNames().join(", ")})`]);
  const size = Buffer.byteLength(JSON.stringify(payload ?? null));
  if (size > maxPayloadBytes) throw new PayloadTooLargeError(`Task payload is ${size} bytes; the limit is ${maxPayloadBytes}`);
  const parsed = definition.payload.safeParse(payload);
  if (!parsed.success) {
    throw new ValidationError(
      "Invalid request",
      parsed.error.issues.map((issue) => `payload${issue.path.map((p) => `.${String(p)}`).join("")}: ${issue.message}`),
    );
  }
  return { definition, payload: parsed.data };
}

/**
 * Stores the task (one Data API call) and sends its message. A send that fails removes the row
 * again, so the caller's error means "nothing was enqueued".
 */
export async function enqueueTask(deps: TaskDeps, request: EnqueueRequest, options: { maxPayloadBytes?: number } = {}): Promise<EnqueueResult> {
  const { definition, payload } = validateTaskRequest(request.name, request.payload, options.maxPayloadBytes ?? 200_000);
  const now = deps.now();
  const runAt = request.runAt ?? (request.delaySeconds ? new Date(now.getTime() + request.delaySeconds * 1000) : undefined);
  const delaySeconds = runAt ? Math.max(0, (runAt.getTime() - now.getTime()) / 1000) : 0;
  const status: TaskStatus = delaySeconds > MAX_SQS_DELAY_SECONDS ? "scheduled" : "queued";
  const uniqueKey = request.uniqueKey ?? definition.uniqueKey?.(payload);

  const inserted = await deps.db.first<{ id: string }>(
    `INSERT INTO tasks (name, queue, payload, status, max_attempts, idempotency_key, unique_key, created_by, run_at)
     VALUES (:name, :queue, :payload, :status, :maxAttempts, :idempotencyKey, :uniqueKey, :createdBy, :runAt)
     ON CONFLICT DO NOTHING
     RETURNING id`,
    {
      name: definition.name,
      queue: definition.queue,
      payload: json(payload),
      status,
      maxAttempts: definition.retry.maxAttempts,
      idempotencyKey: request.idempotencyKey,
      uniqueKey,
      createdBy: request.createdBy,
      runAt,
    },
  );
  if (!inserted) return existingTask(deps, request.idempotencyKey, uniqueKey);

  if (status === "queued") {
    try {
      await sendTaskMessage(deps, definition.queue, { taskId: inserted.id, name: definition.name }, delaySeconds);
    } catch (error) {
      await deps.db.query("DELETE FROM tasks WHERE id = :id", { id: uuid(inserted.id) }).catch(() => undefined);
      throw error;
    }
  }
  return { id: inserted.id, status, duplicate: false };
}

async function existingTask(deps: TaskDeps, idempotencyKey: string | undefined, uniqueKey: string | undefined): Promise<EnqueueResult> {
  const row = await deps.db.first<{ id: string; status: TaskStatus }>(
    `SELECT id, status FROM tasks
     WHERE idempotency_key = :idempotencyKey
        OR (unique_key = :uniqueKey AND status IN ('queued', 'scheduled', 'running', 'retrying'))
     ORDER BY created_at DESC LIMIT 1`,
    { idempotencyKey: idempotencyKey ?? null, uniqueKey: uniqueKey ?? null },
  );
  // The conflicting task finished between our insert and this read: the caller may simply retry.
  if (!row) throw new ValidationError("Invalid request", ["a conflicting task just finished; try again"]);
  return { id: row.id, status: row.status, duplicate: true };
}
