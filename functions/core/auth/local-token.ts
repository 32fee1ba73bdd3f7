import { SignJWT } from "jose";

export const LOCAL_ALGORITHM = "HS256";

export interface LocalTokenRequest {
  sub: string;
  roles?: string[];
  issuer: string;
  audience: string;
  ttlSeconds?: number;
}

/** Tokens for the local stage (and tests), signed with the stage's secret. */
export async function signLocalToken(secret: Uint8Array, request: LocalTokenRequest): Promise<string> {
  return new SignJWT({ roles: request.roles ?? [] })
    .setProtectedHeader({ alg: LOCAL_ALGORITHM, typ: "JWT" })
    .setSubject(request.sub)
    .setIssuer(request.issuer)
    .setAudience(request.audience)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds ?? 3600}s`)
    .sign(secret);
}

/**
 * A token lifetime typed by a person (`npm run token -- --ttl 600`): whole seconds, at least 1 and
 * at most what the API accepts, since a longer token would only be refused later with a 401.
 */
export function parseTtlSeconds(raw: string, maxSeconds: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new RangeError(`--ttl must be a whole number of seconds, got "${raw}"`);
  const seconds = Number(raw.trim());
  if (seconds < 1) throw new RangeError("--ttl must be at least 1 second");
  if (seconds > maxSeconds) {
    throw new RangeError(
      `--ttl ${seconds} is longer than auth.maxTokenLifetimeSeconds (${maxSeconds}); the API would refuse the token`,
    );
  }
  return seconds;
}
