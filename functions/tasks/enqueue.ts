import { json, uuid } from "../core/db/parameters.js";
import { PayloadTooLargeError, ValidationError } from "../core/errors.js";
import type { Principal } from "../core/auth/principal.js";
import { assertLocalOnlyFields, assertMayEnqueue, bindCallerFields, keyScopeOf, type Enqueuer } from "./caller.js";
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
  /**
   * The API caller. Set: the task's access rule applies, its caller fields come from the token,
   * keys are scoped to "user:<sub>" and the task is recorded as created by the caller.
   * Unset: the system enqueues (the beat, maintenance, scripts) in the "system" key scope.
   */
  caller?: Principal;
  /** Who to record for a system enqueue (e.g. "scheduler"); ignored when `caller` is set. */
  createdBy?: string;
}

export interface EnqueueOptions {
  maxPayloadBytes?: number;
  /** The deployed stage; local-only payload fields are refused anywhere else. @default "prod" */
  stage?: string;
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

/**
 * Checks a request against the registry, the task's access rule and its schema, in that order:
 * a caller who may not start a task learns nothing about its payload. Nothing is stored when this throws.
 */
export function validateTaskRequest(
  name: string,
  rawPayload: unknown,
  options: { maxPayloadBytes: number; stage: string; caller: Enqueuer },
): ValidatedTask {
  const definition = getTask(name);
  if (!definition) throw new ValidationError("Invalid request", [`name: unknown task "${name}" (known: ${taskNames().join(", ")})`]);
  assertMayEnqueue(definition, options.caller);
  const size = Buffer.byteLength(JSON.stringify(rawPayload ?? null));
  if (size > options.maxPayloadBytes) throw new PayloadTooLargeError(`Task payload is ${size} bytes; the limit is ${options.maxPayloadBytes}`);
  assertLocalOnlyFields(definition, rawPayload, options.stage);
  const payload = bindCallerFields(definition, rawPayload, options.caller);
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
export async function enqueueTask(deps: TaskDeps, request: EnqueueRequest, options: EnqueueOptions = {}): Promise<EnqueueResult> {
  const { caller } = request;
  const { definition, payload } = validateTaskRequest(request.name, request.payload, {
    maxPayloadBytes: options.maxPayloadBytes ?? 200_000,
    stage: options.stage ?? "prod",
    caller,
  });
  const keyScope = keyScopeOf(caller);
  const now = deps.now();
  const runAt = request.runAt ?? (request.delaySeconds ? new Date(now.getTime() + request.delaySeconds * 1000) : undefined);
  const delaySeconds = runAt ? Math.max(0, (runAt.getTime() - now.getTime()) / 1000) : 0;
  const status: TaskStatus = delaySeconds > MAX_SQS_DELAY_SECONDS ? "scheduled" : "queued";
  const uniqueKey = request.uniqueKey ?? definition.uniqueKey?.(payload);

  const inserted = await deps.db.first<{ id: string }>(
    // wake_due_at: the message arrives after its delay; the reconciler counts from then.
    `INSERT INTO tasks (name, queue, payload, status, max_attempts, key_scope, idempotency_key, unique_key, created_by, run_at, wake_due_at)
     VALUES (:name, :queue, :payload, :status, :maxAttempts, :keyScope, :idempotencyKey, :uniqueKey, :createdBy, :runAt, COALESCE(:runAt, now()))
     ON CONFLICT DO NOTHING
     RETURNING id`,
    {
      name: definition.name,
      queue: definition.queue,
      payload: json(payload),
      status,
      maxAttempts: definition.retry.maxAttempts,
      keyScope,
      idempotencyKey: request.idempotencyKey,
      uniqueKey,
      createdBy: caller ? caller.sub : request.createdBy,
      runAt,
    },
  );
  if (!inserted) return existingTask(deps, keyScope, request.idempotencyKey, uniqueKey);

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

/** The task that holds the key in the caller's own scope: only that caller's tasks can be "the same". */
async function existingTask(deps: TaskDeps, keyScope: string, idempotencyKey: string | undefined, uniqueKey: string | undefined): Promise<EnqueueResult> {
  const row = await deps.db.first<{ id: string; status: TaskStatus }>(
    `SELECT id, status FROM tasks
     WHERE key_scope = :keyScope
       AND (idempotency_key = :idempotencyKey
            OR (unique_key = :uniqueKey AND status IN ('queued', 'scheduled', 'running', 'retrying')))
     ORDER BY created_at DESC LIMIT 1`,
    { keyScope, idempotencyKey: idempotencyKey ?? null, uniqueKey: uniqueKey ?? null },
  );
  // The conflicting task finished between our insert and this read: the caller may simply retry.
  if (!row) throw new ValidationError("Invalid request", ["a conflicting task just finished; try again"]);
  return { id: row.id, status: row.status, duplicate: true };
}
