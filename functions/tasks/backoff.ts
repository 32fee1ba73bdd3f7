import type { RetryPolicy } from "./definition.js";

/**
 * Seconds to wait before the next attempt after `attempt` failed: exponential, capped, and
 * with equal jitter so a burst of failures does not come back as a burst of retries.
 */
export function backoffSeconds(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.max(0, attempt - 1));
  if (!policy.jitter) return Math.round(exponential);
  const half = exponential / 2;
  return Math.max(1, Math.round(half + random() * half));
}
