import type { APIGatewayProxyEvent } from "aws-lambda";
import { ForbiddenError, UnauthorizedError } from "../errors.js";
import { verifierFromEnv } from "./from-env.js";
import { isAdmin, type Access, type Principal } from "./principal.js";
import type { Verifier } from "./verifier.js";

/** Resolves the caller of a request for the access a route asks: 401 without a valid token, 403 without the role. */
export async function authenticate(
  event: APIGatewayProxyEvent,
  access: Access,
  getVerifier: () => Promise<Verifier> = verifierFromEnv,
): Promise<Principal | undefined> {
  if (access === "public") return undefined;
  const token = bearerToken(event.headers ?? {});
  if (!token) throw new UnauthorizedError("Missing bearer token");
  const principal = await (await getVerifier())(token);
  if (access === "admin" && !isAdmin(principal)) throw new ForbiddenError("This operation needs the admin role");
  return principal;
}

function bearerToken(headers: Record<string, string | undefined>): string | undefined {
  const header = Object.entries(headers).find(([name]) => name.toLowerCase() === "authorization")?.[1];
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}
