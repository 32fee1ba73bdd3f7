import type { Problem } from "./problem.js";

/**
 * What the typed client throws for any answer of 400 or more: the problem details the API sent,
 * or, when something in between (a proxy, the gateway) answered without them, a problem made from
 * the status. No zod here: the console's bundle imports it.
 */
export class ApiProblem extends Error {
  override name = "ApiProblem";
  readonly status: number;
  constructor(
    readonly problem: Problem,
    /** The answer's body as it came, for whatever the problem does not carry. */
    readonly body?: unknown,
  ) {
    super(
      problem.detail ? `${problem.status} ${problem.title}: ${problem.detail}` : `${problem.status} ${problem.title}`,
    );
    this.status = problem.status;
  }

  /** The refused fields of a validation problem, by path (`body.cron`, `query.limit`); empty otherwise. */
  get errors(): { path: string; message: string }[] {
    return this.problem.errors ?? [];
  }
}

/** A problem from an answer that did not carry one. */
export function problemFrom(status: number, statusText: string, body: unknown): Problem {
  const detail = typeof body === "string" && body.length > 0 ? body.slice(0, 500) : undefined;
  return { type: "about:blank", title: statusText || `HTTP ${status}`, status, ...(detail ? { detail } : {}) };
}

/** True when `value` looks like problem details (a type, a title and a numeric status). */
export function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === "string" && typeof v.title === "string" && typeof v.status === "number";
}
