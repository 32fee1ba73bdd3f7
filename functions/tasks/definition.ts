import type { Logger } from "@aws-lambda-powertools/logger";
import * as z from "zod";
import type { Principal } from "../core/auth/principal.js";
import type { Database } from "../core/db/database.js";
import type { MediaService } from "../media/service.js";
import type { Mailer } from "../notifications/mailer.js";

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
  progress: (percent: number, note?: string) => Promise<void>;
  logger: Logger;
  /** The database the worker is bound to; tests pass their own. */
  db: Database;
  /**
   * Services beyond the database, created on first use: a task that never calls one costs nothing
   * for it. Tests pass their own.
   */
  services: TaskServices;
}

/**
 * What a task may ask of the worker besides the database. The media service (S3, the CloudFront
 * signer) and the mailer (SES) are created only when a task asks for them.
 */
export interface TaskServices {
  media: () => MediaService;
  mailer: () => Mailer;
}

/**
 * Who may enqueue a task through the API (POST /tasks):
 * - "user": any signed-in caller; fields naming a user come from the token (`fromCaller`);
 * - "admin": callers with the admin role;
 * - "internal": nobody; only the system starts it (the beat, maintenance, scripts).
 */
export type TaskAccess = "user" | "admin" | "internal";

/** Payload fields the API fills from the caller's token, whatever the body says (e.g. `owner: (c) => c.sub`). */
export type CallerFields<P> = { [K in keyof P]?: (caller: Principal) => P[K] };

/**
 * What the API, the beat and enqueueing need to know of a task: its name, queue, payload schema,
 * access and limits, without its code. Declarations live in tasks/declarations, so the functions
 * that only enqueue never bundle what tasks do when they run.
 */
export interface TaskDeclaration<P = unknown> {
  name: string;
  queue: string;
  payload: z.ZodType<P>;
  /** Who may enqueue it through the API; the system may always. */
  access: TaskAccess;
  /** Payload fields taken from the API caller, never from the body. */
  fromCaller: CallerFields<P>;
  /**
   * Payload fields accepted only in the local stage: failure drills (crashing the worker process)
   * that must never be triggered in production.
   */
  localOnly: readonly (keyof P & string)[];
  /** The soft limit, Celery's soft_time_limit; the worker Lambda's timeout is the hard one. */
  timeLimitSeconds: number;
  /**
   * The hard limit, Celery's time_limit, for tasks of a container queue: the runner kills the
   * task's process then and records a failed attempt. On a Lambda queue it must fit the Lambda's
   * 900 s (synth checks it, functions/contracts/task-limits.ts). Unset: soft limit + 60 s.
   */
  hardTimeLimitSeconds?: number;
  retry: RetryPolicy;
  /** At most one queued or running task per key (e.g. one rebuild per part). */
  uniqueKey?: (payload: P) => string;
}

/** A declared task with the code the worker runs (tasks/definitions). */
export interface TaskDefinition<P = unknown, R = unknown> extends TaskDeclaration<P> {
  run(payload: P, context: TaskContext): Promise<R>;
}

export type TaskDeclarationInput<P> = Omit<
  TaskDeclaration<P>,
  "queue" | "timeLimitSeconds" | "retry" | "access" | "fromCaller" | "localOnly"
> & {
  queue?: string;
  timeLimitSeconds?: number;
  retry?: Partial<RetryPolicy>;
  /** @default "admin": a task is opened to users on purpose, never by omission. */
  access?: TaskAccess;
  /** Required for "user" tasks (`{}` when no field names a user), so the question is always asked. */
  fromCaller?: CallerFields<P>;
  localOnly?: readonly (keyof P & string)[];
};

export const defaultRetry: RetryPolicy = { maxAttempts: 3, baseSeconds: 2, maxSeconds: 300, jitter: true };

export type TaskDefinitionInput<P, R> = TaskDeclarationInput<P> & Pick<TaskDefinition<P, R>, "run">;

/** A typed task: its payload schema is checked when it is enqueued and again when it runs. */
export function declareTask<P>(input: TaskDeclarationInput<P>): TaskDeclaration<P> {
  if (!/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/.test(input.name)) {
    throw new Error(`Task name "${input.name}" must look like "area.action" in lower case`);
  }
  const access = input.access ?? "admin";
  if (access === "user") checkCallerFields(input);
  return {
    ...input,
    access,
    fromCaller: input.fromCaller ?? {},
    localOnly: input.localOnly ?? [],
    queue: input.queue ?? "default",
    timeLimitSeconds: input.timeLimitSeconds ?? 20,
    retry: { ...defaultRetry, ...input.retry },
  };
}

/** The declared task's code, for the worker. */
export function implementTask<P, R>(
  declaration: TaskDeclaration<P>,
  run: TaskDefinition<P, R>["run"],
): TaskDefinition<P, R> {
  return { ...declaration, run };
}

/** Declaration and code in one go: for tests and tasks that only the worker ever names. */
export function defineTask<P, R>(input: TaskDefinitionInput<P, R>): TaskDefinition<P, R> {
  const { run, ...declaration } = input;
  return implementTask(declareTask(declaration), run);
}

/** Names that say "this is a user": in a task users may enqueue, such a field must come from the token. */
const userNamingField =
  /^(owner|user|users|userid|username|sub|subject|createdby|requestedby|requester|recipient|account|accountid)$/i;

function checkCallerFields<P>(input: TaskDeclarationInput<P>): void {
  if (!input.fromCaller) {
    throw new Error(
      `Task "${input.name}" is open to users: say which payload fields come from the caller (fromCaller; {} if none)`,
    );
  }
  const fields = input.payload instanceof z.ZodObject ? Object.keys(input.payload.shape) : [];
  const unbound = fields.filter(
    (field) => userNamingField.test(field) && !Object.hasOwn(input.fromCaller ?? {}, field),
  );
  if (unbound.length > 0) {
    throw new Error(
      `Task "${input.name}" is open to users, but ${unbound.join(", ")} would name a user from the request body: take it from the caller (fromCaller)`,
    );
  }
}

/*
 * A list of tasks holds many payload types at once. `run(payload: P)` and `uniqueKey(payload: P)`
 * take P as input, so no common P (not even unknown) fits them all: only `any` lets one list hold
 * them. Each task is still checked against its own schema before anything touches its payload.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type AnyTaskDeclaration = TaskDeclaration<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type AnyTaskDefinition = TaskDefinition<any, any>;
