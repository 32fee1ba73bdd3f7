import { randomUUID } from "node:crypto";
import { json } from "../core/db/parameters.js";
import { DomainError, PayloadTooLargeError, ValidationError } from "../core/errors.js";
import type { Principal } from "../core/auth/principal.js";
import { assertLocalOnlyFields, assertMayEnqueue, bindCallerFields, keyScopeOf, type Enqueuer } from "./caller.js";
import type { TaskDeclaration, TaskStatus } from "./definition.js";
import type { TaskDeps } from "./deps.js";
import { sendTaskMessages } from "./messages.js";
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
  definition: TaskDeclaration<unknown>;
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
  if (!definition)
    throw new ValidationError("Invalid request", [`name: unknown task "${name}" (known: ${taskNames().join(", ")})`]);
  assertMayEnqueue(definition, options.caller);
  const size = Buffer.byteLength(JSON.stringify(rawPayload ?? null));
  if (size > options.maxPayloadBytes)
    throw new PayloadTooLargeError(`Task payload is ${size} bytes; the limit is ${options.maxPayloadBytes}`);
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

/** A request checked and resolved: what its row and its message will say. */
interface PreparedTask {
  id: string;
  definition: TaskDeclaration<unknown>;
  payload: unknown;
  status: TaskStatus;
  keyScope: string;
  idempotencyKey: string | undefined;
  uniqueKey: string | undefined;
  createdBy: string | undefined;
  runAt: Date | undefined;
  delaySeconds: number;
}

function prepareTask(deps: TaskDeps, request: EnqueueRequest, options: EnqueueOptions, now: Date): PreparedTask {
  const { caller } = request;
  const { definition, payload } = validateTaskRequest(request.name, request.payload, {
    maxPayloadBytes: options.maxPayloadBytes ?? 200_000,
    stage: options.stage ?? "prod",
    caller,
  });
  const runAt =
    request.runAt ?? (request.delaySeconds ? new Date(now.getTime() + request.delaySeconds * 1000) : undefined);
  const delaySeconds = runAt ? Math.max(0, (runAt.getTime() - now.getTime()) / 1000) : 0;
  return {
    // The id is chosen here, so the multi-row insert's RETURNING says which requests made a row.
    id: randomUUID(),
    definition,
    payload,
    status: delaySeconds > MAX_SQS_DELAY_SECONDS ? "scheduled" : "queued",
    keyScope: keyScopeOf(caller),
    idempotencyKey: request.idempotencyKey,
    uniqueKey: request.uniqueKey ?? definition.uniqueKey?.(payload),
    createdBy: caller ? caller.sub : request.createdBy,
    runAt,
    delaySeconds,
  };
}

/** Why a batch was refused: every invalid item, by its index, with the status of the first. */
/** Every request prepared against one clock; a request that fails validation keeps its error in place. */
function prepareEach(
  deps: TaskDeps,
  requests: readonly EnqueueRequest[],
  options: EnqueueOptions,
): ({ index: number; task: PreparedTask } | { index: number; error: unknown })[] {
  const now = deps.now();
  return requests.map((request, index) => {
    try {
      return { index, task: prepareTask(deps, request, options, now) };
    } catch (error) {
      return { index, error };
    }
  });
}

function refuseBatch(failures: { index: number; error: unknown }[]): never {
  const [first] = failures;
  if (failures.length === 1 && first && !(first.error instanceof DomainError)) throw first.error;
  const issues = failures.flatMap(({ index, error }) => {
    if (error instanceof ValidationError) return error.issues.map((issue) => `tasks[${index}].${issue}`);
    return [`tasks[${index}]: ${error instanceof Error ? error.message : String(error)}`];
  });
  const status = first?.error instanceof DomainError ? first.error.statusCode : 400;
  if (status === 400) throw new ValidationError("Invalid request", issues);
  throw new BatchRefusedError(status, issues);
}

/** A batch refused for a reason other than a 400 (403 access, 413 size): all items named, nothing stored. */
export class BatchRefusedError extends DomainError {
  override name = "BatchRefusedError";
  constructor(
    statusCode: number,
    readonly issues: string[],
  ) {
    super(`Nothing was enqueued: ${issues.join("; ")}`, statusCode, { details: issues });
  }
}

/**
 * Some messages could not be sent: their rows were removed again (as a single enqueue does), the
 * others are queued. `results` holds, in request order, the task of each request that made it and
 * undefined for each that did not; sending the batch again with the same idempotency keys returns
 * the queued ones as duplicates and queues the rest.
 */
export class EnqueueSendError extends DomainError {
  override name = "EnqueueSendError";
  constructor(
    readonly results: (EnqueueResult | undefined)[],
    cause: unknown,
  ) {
    const missing = results.flatMap((r, i) => (r ? [] : [i]));
    super(
      `${missing.length} of ${results.length} tasks could not be queued (items ${missing.join(", ")}); send them again`,
      503,
      { cause },
    );
  }
}

/** One outcome per request of enqueueEach: its task, or why it was not enqueued. */
export type EnqueueOutcome = { ok: true; result: EnqueueResult } | { ok: false; error: unknown };

/**
 * Enqueues many tasks in a fixed number of round trips: every request is validated first, and any
 * invalid one refuses the whole batch (a 4xx naming each bad item by its index; nothing stored or
 * sent). Then one multi-row INSERT stores them all, one more statement resolves the requests whose
 * idempotency or unique key already had a task, and the messages go ten per SendMessageBatch.
 * Throws EnqueueSendError when some messages could not be sent.
 */
export async function enqueueTasks(
  deps: TaskDeps,
  requests: readonly EnqueueRequest[],
  options: EnqueueOptions = {},
): Promise<EnqueueResult[]> {
  const prepared = prepareEach(deps, requests, options);
  const failures = prepared.flatMap((p) => ("error" in p ? [p] : []));
  if (failures.length > 0) refuseBatch(failures);
  const outcomes = await storeAndSend(
    deps,
    prepared.flatMap((p) => ("task" in p ? [p.task] : [])),
  );
  if (outcomes.every((o) => o.ok)) return outcomes.map((o) => (o as { result: EnqueueResult }).result);
  const firstError = outcomes.find((o) => !o.ok) as { error: unknown };
  throw new EnqueueSendError(
    outcomes.map((o) => (o.ok ? o.result : undefined)),
    firstError.error,
  );
}

/**
 * Like enqueueTasks, but each request stands on its own: an invalid one gets its error as its
 * outcome and the others are enqueued together. For the beat, where one broken periodic entry
 * must not hold back the rest.
 */
export async function enqueueEach(
  deps: TaskDeps,
  requests: readonly EnqueueRequest[],
  options: EnqueueOptions = {},
): Promise<EnqueueOutcome[]> {
  const prepared = prepareEach(deps, requests, options);
  const valid = prepared.flatMap((p) => ("task" in p ? [p] : []));
  const stored = await storeAndSend(
    deps,
    valid.map((v) => v.task),
  );
  // storeAndSend answers one outcome per task, in order.
  const storedAt = new Map(valid.map((v, i) => [v.index, stored[i] as EnqueueOutcome]));
  return prepared.map((p) =>
    "error" in p ? { ok: false, error: p.error } : (storedAt.get(p.index) as EnqueueOutcome),
  );
}

/**
 * Stores the task (one Data API call) and sends its message. A send that fails removes the row
 * again, so the caller's error means "nothing was enqueued".
 */
export async function enqueueTask(
  deps: TaskDeps,
  request: EnqueueRequest,
  options: EnqueueOptions = {},
): Promise<EnqueueResult> {
  const [outcome] = await storeAndSend(deps, [prepareTask(deps, request, options, deps.now())]);
  if (!outcome?.ok) throw outcome?.error;
  return outcome.result;
}

/** Rows per INSERT: keeps each Data API request well under its size limits. */
const ROWS_PER_INSERT = 500;
/** An insert's rows may add up to about this many bytes of JSON before it is split. */
const BYTES_PER_INSERT = 1_000_000;
/** How often requests whose conflicting task finished in between are tried again. */
const CONFLICT_ROUNDS = 3;

async function storeAndSend(deps: TaskDeps, tasks: PreparedTask[]): Promise<EnqueueOutcome[]> {
  if (tasks.length === 0) return [];
  const results = await storeAll(deps, tasks);
  const fresh = tasks.filter(
    (task, i) =>
      results[i]?.ok && !(results[i] as { result: EnqueueResult }).result.duplicate && task.status === "queued",
  );
  const byQueue = new Map<string, PreparedTask[]>();
  for (const task of fresh) byQueue.set(task.definition.queue, [...(byQueue.get(task.definition.queue) ?? []), task]);
  const unsent = new Map<string, unknown>();
  await Promise.all(
    [...byQueue].map(async ([queue, group]) => {
      const { accepted, error } = await sendTaskMessages(
        deps,
        queue,
        group.map((t) => ({ taskId: t.id, name: t.definition.name, delaySeconds: t.delaySeconds })),
      );
      for (const task of group)
        if (!accepted.has(task.id)) unsent.set(task.id, error ?? new Error("SQS did not accept the message"));
    }),
  );
  if (unsent.size > 0) {
    // A row without a message would wait for the reconciler (up to twice the visibility timeout):
    // removing it makes the caller's error mean "not enqueued", and a retry queues it at once.
    await deps.db
      .query(
        "DELETE FROM tasks WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text(:ids)) AND status = 'queued'",
        { ids: json([...unsent.keys()]) },
      )
      .catch(() => undefined);
  }
  return tasks.map((task, i) =>
    unsent.has(task.id) ? { ok: false, error: unsent.get(task.id) } : (results[i] as EnqueueOutcome),
  );
}

/**
 * One INSERT … ON CONFLICT DO NOTHING for every row (rows of one batch that share a key: the first
 * wins, the later ones conflict with it), then one SELECT for all that conflicted. A conflicting
 * task that finished in between frees its unique key: those requests are inserted again.
 */
async function storeAll(deps: TaskDeps, tasks: PreparedTask[]): Promise<EnqueueOutcome[]> {
  const outcomes: (EnqueueOutcome | undefined)[] = tasks.map(() => undefined);
  let pending = tasks.map((task, index) => ({ task, index }));
  for (let round = 0; round < CONFLICT_ROUNDS && pending.length > 0; round++) {
    const inserted = new Set<string>();
    for (const group of insertGroups(pending))
      for (const id of await insertRows(
        deps,
        group.map((p) => p.task),
      ))
        inserted.add(id);
    const conflicted = pending.filter((p) => !inserted.has(p.task.id));
    for (const p of pending)
      if (inserted.has(p.task.id))
        outcomes[p.index] = { ok: true, result: { id: p.task.id, status: p.task.status, duplicate: false } };
    const existing = await existingTasks(deps, conflicted);
    pending = [];
    for (const p of conflicted) {
      const found = existing.get(p.index);
      if (found) outcomes[p.index] = { ok: true, result: { ...found, duplicate: true } };
      // The conflicting task finished between our insert and this read: try the insert again.
      else pending.push({ ...p, task: { ...p.task, id: randomUUID() } });
    }
  }
  for (const p of pending)
    outcomes[p.index] = {
      ok: false,
      error: new ValidationError("Invalid request", ["a conflicting task just finished; try again"]),
    };
  return outcomes as EnqueueOutcome[];
}

function insertGroups<T extends { task: PreparedTask }>(items: T[]): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item.task.payload ?? null));
    if (group.length > 0 && (group.length >= ROWS_PER_INSERT || bytes + size > BYTES_PER_INSERT)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(item);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** Inserts the rows in request order; returns the ids that made a row. */
async function insertRows(deps: TaskDeps, tasks: PreparedTask[]): Promise<string[]> {
  const rows = tasks.map((t, ord) => ({
    ord,
    id: t.id,
    name: t.definition.name,
    queue: t.definition.queue,
    payload: t.payload ?? null,
    status: t.status,
    max_attempts: t.definition.retry.maxAttempts,
    key_scope: t.keyScope,
    idempotency_key: t.idempotencyKey ?? null,
    unique_key: t.uniqueKey ?? null,
    created_by: t.createdBy ?? null,
    run_at: t.runAt?.toISOString() ?? null,
  }));
  const inserted = await deps.db.rows<{ id: string }>(
    // wake_due_at: the message arrives after its delay; the reconciler counts from then.
    `INSERT INTO tasks (id, name, queue, payload, status, max_attempts, key_scope, idempotency_key, unique_key, created_by, run_at, wake_due_at)
     SELECT r.id, r.name, r.queue, r.payload, r.status, r.max_attempts, r.key_scope, r.idempotency_key, r.unique_key, r.created_by,
            r.run_at, COALESCE(r.run_at, now())
       FROM jsonb_to_recordset(:rows) AS r(ord int, id uuid, name text, queue text, payload jsonb, status text, max_attempts int,
            key_scope text, idempotency_key text, unique_key text, created_by text, run_at timestamptz)
      ORDER BY r.ord
     ON CONFLICT DO NOTHING
     RETURNING id`,
    { rows: json(rows) },
  );
  return inserted.map((r) => r.id);
}

/**
 * For each conflicted request, the task that holds its key in the caller's own scope (only that
 * caller's tasks can be "the same"), in one statement. Newest first, as for a single request.
 */
async function existingTasks(
  deps: TaskDeps,
  conflicted: { task: PreparedTask; index: number }[],
): Promise<Map<number, { id: string; status: TaskStatus }>> {
  if (conflicted.length === 0) return new Map();
  const rows = await deps.db.rows<{ ord: number; id: string; status: TaskStatus }>(
    `SELECT d.ord, t.id, t.status
       FROM jsonb_to_recordset(:keys) AS d(ord int, key_scope text, idempotency_key text, unique_key text)
       CROSS JOIN LATERAL (
         SELECT id, status FROM tasks
          WHERE key_scope = d.key_scope
            AND (idempotency_key = d.idempotency_key
                 OR (unique_key = d.unique_key AND status IN ('queued', 'scheduled', 'running', 'retrying')))
          ORDER BY created_at DESC LIMIT 1) t`,
    {
      keys: json(
        conflicted.map((c) => ({
          ord: c.index,
          key_scope: c.task.keyScope,
          idempotency_key: c.task.idempotencyKey ?? null,
          unique_key: c.task.uniqueKey ?? null,
        })),
      ),
    },
  );
  return new Map(rows.map((r) => [r.ord, { id: r.id, status: r.status }]));
}
