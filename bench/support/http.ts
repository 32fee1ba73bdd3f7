import { readFileSync } from "node:fs";
import * as z from "zod";
import { outputsFile } from "../../localstack/env.js";

/**
 * One HTTP call whose JSON answer must match `schema`. Anything else throws at once with the method,
 * the address, the status and the body: a non-2xx answer, a body of another shape, or no answer within
 * `timeoutMs` (an emulator that stopped answering must end the bench, not hang it).
 */
export async function requestJson<T>(
  schema: z.ZodType<T>,
  url: string,
  init: RequestInit = {},
  timeoutMs = 30_000,
): Promise<T> {
  const what = `${init.method ?? "GET"} ${url}`;
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new Error(`${what}: no answer (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${what} answered ${response.status} ${response.statusText}:\n${text.slice(0, 2_000)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${what} answered ${response.status} with a body that is not JSON:\n${text.slice(0, 2_000)}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new Error(
      `${what} answered an unexpected shape (${z.prettifyError(parsed.error)}):\n${text.slice(0, 2_000)}`,
    );
  return parsed.data;
}

/** The API of the running local stack, called as one signed-in user. */
export function localApi(apiUrl: string, token: string) {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  return {
    get: <T>(schema: z.ZodType<T>, path: string) => requestJson(schema, `${apiUrl}${path}`, { headers }),
    post: <T>(schema: z.ZodType<T>, path: string, body: unknown) =>
      requestJson(schema, `${apiUrl}${path}`, { method: "POST", headers, body: JSON.stringify(body) }),
  };
}

/** The deployed stack's outputs (written by npm run local:up); the API address must be there. */
export function localOutputs(): Record<string, string> & { apiUrl: string } {
  let text: string;
  try {
    text = readFileSync(outputsFile, "utf8");
  } catch {
    throw new Error(`${outputsFile} is missing: start the local stack first (npm run local:up)`);
  }
  return z
    .record(z.string(), z.string())
    .and(z.object({ apiUrl: z.string() }))
    .parse(JSON.parse(text));
}

/** Runs a bench; a failure prints its message and ends the process with exit code 1, whatever is still in flight. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
