import type { Logger } from "@aws-lambda-powertools/logger";
import type { z } from "zod";

export const taskStatuses = ["queued", "scheduled", "running", "retrying", "succeeded", "failed", "cancelled"] as const;
export type TaskStatus = (typeof taskStatuses)[number];
/** A task in one of these may still run; the rest are final. */
export const activeStatuses: readonly TaskStatus[] = ["queued", "scheduled", "running", "retrying"];

export interface RetryPolicy {
  /** Attempts in all, the first included (Celery's max_retries + 1). */
  maxAttempts: number;
  /** Delay before retry n is min(maxSeconds, baseSeconds * 2^(n-1)), jittered. */
  baseSeconds: number;
  maxSeconds: number;
  jitter: boolean;
}

export interface TaskContext {
  taskId: string;
  /** 1 on the first run. */
  attempt: number;
  /** Aborted at the soft time limit: stop, clean up and throw. */
  signal: AbortSignal;
  progress(percent: number, note?: string): Promise<void>;
  logger: Logger;
}

export interface TaskDefinition<P = unknown, R = unknown> {
  name: string;
  queue: string;
  payload: z.ZodType<P>;
  /** The soft limit, Celery's soft_time_limit; the worker Lambda's timeout is the hard one. */
  timeLimitSeconds: number;
  retry: RetryPolicy;
  /** At most one queued or running task per key (e.g. one rebuild per part). */
  uniqueKey?: (payload: P) => string;
  run(payload: P, context: TaskContext): Promise<R>;
}

export type TaskDefinitionInput<P, R> = Omit<TaskDefinition<P, R>, "queue" | "timeLimitSeconds" | "retry"> & {
  queue?: string;
  timeLimitSeconds?: number;
  retry?: Partial<RetryPolicy>;
};

export const defaultRetry: RetryPolicy = { maxAttempts: 3, baseSeconds: 2, maxSeconds: 300, jitter: true };

/** A typed task: its payload schema is checked when it is enqueued and again when it runs. */
export function defineTask<P, R>(input: TaskDefinitionInput<P, R>): TaskDefinition<P, R> {
  if (!/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/.test(input.name)) {
    throw new Error(`Task name "${input.name}" must look like "area.action" in lower case`);
  }
  return {
    ...input,
    queue: input.queue ?? "default",
    timeLimitSeconds: input.timeLimitSeconds ?? 20,
    retry: { ...defaultRetry, ...input.retry },
  };
}
