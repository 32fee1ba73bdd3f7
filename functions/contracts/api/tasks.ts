import * as z from "zod";
import { listOf } from "./list.js";

/** A task's states; functions/tasks/definition.ts holds the same list (a unit test checks it). */
export const taskStatusValues = [
  "queued",
  "scheduled",
  "running",
  "retrying",
  "succeeded",
  "failed",
  "cancelled",
] as const;
export const taskStatusSchema = z.enum(taskStatusValues).meta({ id: "TaskStatus" });

/** Tasks per POST /tasks/batch: one multi-row insert and ten SendMessageBatch calls at most. */
export const MAX_BATCH_TASKS = 100;

/** One task to enqueue, as POST /tasks takes it and each item of POST /tasks/batch. */
export const enqueueBody = z
  .object({
    name: z.string().min(1),
    payload: z.unknown(),
    delaySeconds: z
      .number()
      .int()
      .min(0)
      .max(365 * 86_400)
      .optional(),
    runAt: z.iso.datetime({ offset: true }).optional(),
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .refine((b) => !(b.delaySeconds !== undefined && b.runAt !== undefined), {
    message: "give delaySeconds or runAt, not both",
    path: ["runAt"],
  })
  .meta({ id: "EnqueueRequest" });

export const enqueueBatchBody = z.object({ tasks: z.array(enqueueBody).min(1).max(MAX_BATCH_TASKS) });

export const taskIdParams = z.object({ id: z.string().uuid("not a task id") });

export const listTasksQuery = z.object({
  status: taskStatusSchema.optional(),
  name: z.string().min(1).optional(),
  /** Only this user's tasks (the token's `sub`). Admins only: anyone else may name only themselves (403 otherwise). */
  createdBy: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).optional(),
});

const timestamp = z.string().meta({ description: "ISO 8601 timestamp" });

export const taskSchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    queue: z.string(),
    status: taskStatusSchema,
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    progress: z.number().nullable(),
    progressNote: z.string().nullable(),
    payload: z.unknown(),
    result: z.unknown(),
    error: z.string().nullable(),
    createdBy: z.string().nullable(),
    runAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    deadLetteredAt: timestamp.nullable(),
  })
  .meta({ id: "Task" });

export const enqueuedTaskSchema = z
  .strictObject({
    id: z.string(),
    status: taskStatusSchema,
    /** True when an existing task was returned (same idempotency key, or same unique key still active). */
    duplicate: z.boolean(),
  })
  .meta({ id: "EnqueuedTask" });

export const enqueuedBatchSchema = z.strictObject({ tasks: z.array(enqueuedTaskSchema) }).meta({ id: "EnqueuedBatch" });

export const taskListSchema = listOf(taskSchema).meta({ id: "TaskList" });

export type Task = z.infer<typeof taskSchema>;
export type TaskStatus = z.infer<typeof taskStatusSchema>;
