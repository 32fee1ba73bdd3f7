import { inject } from "vitest";
import type { LocalOutputs } from "../../localstack/deploy.js";
import { checkAnswer } from "./contract.js";

/** Endpoints come from the deployed stack's outputs; a missing one fails loudly instead of skipping. */
export function outputs(): LocalOutputs {
  const value = inject("outputs");
  if (!value?.apiUrl) throw new Error("The local stack outputs are missing: the integration global setup did not run");
  return value;
}

export async function api(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${outputs().apiUrl}${path}`, {
    ...init,
    headers: { "content-type": "application/json", ...(init.headers ?? {}) },
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  // Every answer any integration test receives is checked against the route's contract.
  await checkAnswer({
    method: init.method ?? "GET",
    path,
    status: response.status,
    contentType: response.headers.get("content-type"),
    body,
  });
  return { status: response.status, body, headers: response.headers };
}
