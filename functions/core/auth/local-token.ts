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
