import type { Problem } from "../../functions/contracts/api/problem.js";

/**
 * One line for a status message: the title, then each refused field (`body.cron: …`), or the
 * detail when no field is named (a validation problem's detail only repeats its fields).
 */
export function describeProblem(problem: Problem): string {
  const fields = (problem.errors ?? []).map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
  if (fields.length > 0) return [problem.title, ...fields].join("; ");
  return problem.detail && problem.detail !== problem.title ? `${problem.title}: ${problem.detail}` : problem.title;
}
