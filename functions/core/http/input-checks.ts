/**
 * Checks every text a request carries before any route schema sees it, so that no route can
 * forget them. PostgreSQL refuses a NUL character in text and jsonb, and a lone UTF-16
 * surrogate (half of an emoji, e.g. "\ud800" in JSON) is not valid UTF-8 at all: either would
 * reach the database and come back as a 500. Here they become a 400 naming the field.
 */

/** Deeper than this anywhere in a JSON body is refused; real payloads are a few levels deep. */
export const MAX_BODY_DEPTH = 32;

/** Enough problems for the caller to see the pattern; a body with a million bad strings gets the first few. */
const MAX_PROBLEMS = 10;

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as text, or undefined when it can. */
export function textProblem(value: string): string | undefined {
  if (value.includes("\u0000")) return "contains a NUL character";
  if (loneSurrogate.test(value)) return "contains a lone surrogate (not valid Unicode)";
  return undefined;
}

/**
 * Walks `value` (keys included) and lists what cannot go on: bad text, and nesting deeper than
 * `maxDepth`. The walk keeps its own stack instead of recursing, so a payload 100,000 levels deep
 * is answered with a 400 instead of overflowing the call stack.
 */
export function inputProblems(where: string, value: unknown, maxDepth = MAX_BODY_DEPTH): string[] {
  const problems: string[] = [];
  // `field` is the top-level field an item sits in: a depth problem names it, not a path 32 levels long.
  const pending: { value: unknown; path: string; field: string; depth: number }[] = [
    { value, path: where, field: where, depth: 0 },
  ];
  while (pending.length > 0 && problems.length < MAX_PROBLEMS) {
    const item = pending.pop() as (typeof pending)[number];
    if (typeof item.value === "string") {
      const problem = textProblem(item.value);
      if (problem) problems.push(`${item.path}: ${problem}`);
      continue;
    }
    if (typeof item.value !== "object" || item.value === null) continue;
    if (item.depth >= maxDepth) {
      problems.push(`${item.field}: nested more than ${maxDepth} levels deep`);
      continue;
    }
    const entries = Array.isArray(item.value)
      ? item.value.map((v, i) => [String(i), v] as const)
      : Object.entries(item.value);
    // Pushed in reverse so problems come out in document order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as readonly [string, unknown];
      const keyProblem = textProblem(key);
      if (keyProblem) {
        problems.push(`${item.path}: has a key that ${keyProblem}`);
        continue;
      }
      const path = `${item.path}.${key}`;
      pending.push({ value: child, path, field: item.depth === 0 ? path : item.field, depth: item.depth + 1 });
    }
  }
  // Two deep branches in one field would say the same thing twice.
  return [...new Set(problems)];
}
