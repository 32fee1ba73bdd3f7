import { isAdmin, type Principal } from "../core/auth/principal.js";
import { ForbiddenError, ValidationError } from "../core/errors.js";
import type { TaskDeclaration } from "./definition.js";

/**
 * Who enqueues: an API caller (a principal from a verified token) or, when there is none, the
 * system itself (the beat, maintenance, scripts), which may start any task.
 */
export type Enqueuer = Principal | undefined;

/** The scope of an enqueuer's idempotency and unique keys: another caller's key is never a duplicate of yours. */
export function keyScopeOf(caller: Enqueuer): string {
  return caller ? `user:${caller.sub}` : "system";
}

/** 403 unless the task's access rule lets this caller start it through the API. */
export function assertMayEnqueue(definition: TaskDeclaration<unknown>, caller: Enqueuer): void {
  if (!caller) return;
  if (definition.access === "internal")
    throw new ForbiddenError(`Task "${definition.name}" is started by the system only`);
  if (definition.access === "admin" && !isAdmin(caller))
    throw new ForbiddenError(`Task "${definition.name}" needs the admin role`);
}

/**
 * Fills the fields that name the caller from the token. A body that names someone else is refused
 * (400) rather than silently rewritten, so a client that meant another user finds out.
 */
export function bindCallerFields(definition: TaskDeclaration<unknown>, payload: unknown, caller: Enqueuer): unknown {
  // A declaration of unknown payload names its fields as plain strings here.
  const fromCaller: Record<string, (caller: Principal) => unknown> = definition.fromCaller;
  const fields = Object.entries(fromCaller);
  if (!caller || fields.length === 0) return payload;
  if (payload !== undefined && (typeof payload !== "object" || payload === null || Array.isArray(payload)))
    return payload; // the schema names the problem
  const bound: Record<string, unknown> = { ...(payload as Record<string, unknown> | undefined) };
  const issues: string[] = [];
  for (const [field, fromCaller] of fields) {
    const value = fromCaller(caller);
    if (Object.hasOwn(bound, field) && bound[field] !== value)
      issues.push(`payload.${field}: set from your token; leave it out`);
    bound[field] = value;
  }
  if (issues.length > 0) throw new ValidationError("Invalid request", issues);
  return bound;
}

/** Fields that exist only for local failure drills; any other stage answers 400 naming them. */
export function assertLocalOnlyFields(definition: TaskDeclaration<unknown>, payload: unknown, stage: string): void {
  if (stage === "local" || typeof payload !== "object" || payload === null) return;
  const localOnly: readonly string[] = definition.localOnly;
  const present = localOnly.filter((field) => Object.hasOwn(payload, field));
  if (present.length > 0) {
    throw new ValidationError(
      "Invalid request",
      present.map((field) => `payload.${field}: only accepted in the local stage`),
    );
  }
}
