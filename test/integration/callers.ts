import { localToken } from "../../localstack/token.js";
import { api, outputs } from "./outputs.js";

/** The four callers the authorization contract names: nobody, a user, another user, an admin. */
export const roles = ["anonymous", "alice", "bob", "carol"] as const;
export type Role = (typeof roles)[number];

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

export interface Caller {
  role: Role;
  /** The bearer token, or undefined for the anonymous caller. */
  token: string | undefined;
  /** Sends `body` as JSON, or as given when it is already a string (raw text such as a 100,000-deep array). */
  request(method: string, path: string, body?: unknown): Promise<Answer>;
}

/** Tokens live 15 minutes: long enough for a run, far below the stack's maximum lifetime. */
const testTokenSeconds = 900;

export async function caller(role: Role): Promise<Caller> {
  const token =
    role === "anonymous"
      ? undefined
      : await localToken({ sub: role, admin: role === "carol", ttlSeconds: testTokenSeconds }, outputs());
  return { role, token, request: (method, path, body) => send(token, method, path, body) };
}

export async function callers(): Promise<Record<Role, Caller>> {
  const [anonymous, alice, bob, carol] = await Promise.all(roles.map(caller));
  return { anonymous, alice, bob, carol } as Record<Role, Caller>;
}

export function send(token: string | undefined, method: string, path: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return api(path, { method, headers, body: text, redirect: "manual" });
}

/** Uploads `text` through the presigned POST form and waits until the processor has stored it. */
export async function storedMedia(
  owner: Caller,
  filename: string,
  text = `authorization matrix ${Date.now()}\n`,
): Promise<string> {
  const bytes = new TextEncoder().encode(text);
  const created = await owner.request("POST", "/media/uploads", {
    filename,
    contentType: "text/plain",
    size: bytes.byteLength,
  });
  if (created.status !== 201)
    throw new Error(`POST /media/uploads answered ${created.status}: ${JSON.stringify(created.body)}`);
  const form = new FormData();
  for (const [name, value] of Object.entries(created.body.fields as Record<string, string>)) form.append(name, value);
  form.append("file", new Blob([bytes], { type: "text/plain" }));
  const upload = await fetch(created.body.url, { method: "POST", body: form });
  if (upload.status >= 300) throw new Error(`the presigned form answered ${upload.status}`);
  const id = created.body.id as string;
  for (let attempt = 0; attempt < 100; attempt++) {
    const info = await owner.request("GET", `/media/${id}/info`);
    if (info.body?.status === "stored") return id;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`media ${id} never became stored: did the S3 notification reach the processor?`);
}
