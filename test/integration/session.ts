import { localToken } from "../../localstack/token.js";
import { api, outputs } from "./outputs.js";

/** Calls the deployed API as a given user, with a token signed by the stack's local secret. */
export async function asUser(sub: string, options: { admin?: boolean } = {}) {
  const token = await localToken({ sub, admin: options.admin }, outputs());
  const call = (path: string, init: RequestInit = {}) =>
    withThrottleRetries(() =>
      api(path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } }),
    );
  return {
    token,
    get: (path: string) => call(path),
    post: (path: string, body?: unknown) =>
      call(path, { method: "POST", body: body === undefined ? undefined : JSON.stringify(body) }),
    patch: (path: string, body: unknown) => call(path, { method: "PATCH", body: JSON.stringify(body) }),
    delete: (path: string) => call(path, { method: "DELETE" }),
  };
}

/**
 * API Gateway's stage throttle (config `api.throttleRateLimit`) answers 429 before the route runs; a
 * well-behaved client backs off and asks again, as these tests do. Any other answer is returned as is.
 */
async function withThrottleRetries<T extends { status: number }>(send: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const answer = await send();
    if (answer.status !== 429 || attempt === attempts) return answer;
    await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
  }
}

export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `Timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ""}`,
  );
}
