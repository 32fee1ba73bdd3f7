import { webcrypto } from "node:crypto";
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { UnauthorizedError } from "../errors.js";
import type { Principal } from "./principal.js";
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS, tokenLifetimeProblem } from "./token-lifetime.js";

export interface VerifierOptions {
  issuer: string;
  audience: string;
  /** Never includes "none": jose refuses unsecured tokens unless asked, and we never ask. */
  algorithms: string[];
  key: Uint8Array | JWTVerifyGetKey;
  rolesClaim: string;
  /** Seconds of clock skew tolerated on exp/nbf. */
  clockToleranceSeconds?: number;
  /** Tokens issued for longer than this (config auth.maxTokenLifetimeSeconds) are refused. @default 86400 */
  maxLifetimeSeconds?: number;
  /** The clock, for tests. */
  now?: () => Date;
}

export type Verifier = (token: string) => Promise<Principal>;

/** Checks signature, algorithm, issuer, audience, expiry and lifetime; any failure is a 401 with a short reason. */
export function createVerifier(options: VerifierOptions): Verifier {
  const maxLifetimeSeconds = options.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  const now = options.now ?? (() => new Date());
  const key = options.key instanceof Uint8Array ? secretKeys(options.key) : options.key;
  return async (token) => {
    let payload: JWTPayload;
    try {
      payload = (await jwtVerify(token, key, verifyOptions(options, now()))).payload;
    } catch (error) {
      throw new UnauthorizedError(reason(error));
    }
    if (!payload.sub) throw new UnauthorizedError("Token has no subject");
    // jose has checked that exp (required) and iat (when present) are numbers.
    const lifetime = { exp: payload.exp as number, iat: payload.iat };
    const problem = tokenLifetimeProblem(
      lifetime,
      maxLifetimeSeconds,
      now().getTime() / 1000,
      options.clockToleranceSeconds ?? 5,
    );
    if (problem) throw new UnauthorizedError(problem);
    return { sub: payload.sub, roles: rolesOf(payload[options.rolesClaim]) };
  };
}

/**
 * Given raw secret bytes, jose imports them into a CryptoKey at every verify (about 50 µs of each
 * request); here each HMAC algorithm's key is imported once and kept. jose has refused an algorithm
 * outside `algorithms` before it asks for the key, so only allowed ones arrive here.
 */
export function secretKeys(secret: Uint8Array, subtle: webcrypto.SubtleCrypto = webcrypto.subtle): JWTVerifyGetKey {
  const keys = new Map<string, Promise<webcrypto.CryptoKey>>();
  return ({ alg }) => {
    const bits = /^HS(256|384|512)$/.exec(alg ?? "")?.[1];
    // Not an HMAC algorithm: jose gets the bytes and refuses them as a key for it, as it always did.
    if (!bits) return secret;
    const key =
      keys.get(bits) ?? subtle.importKey("raw", secret, { name: "HMAC", hash: `SHA-${bits}` }, false, ["verify"]);
    keys.set(bits, key);
    return key;
  };
}

function verifyOptions(options: VerifierOptions, currentDate: Date) {
  return {
    currentDate,
    issuer: options.issuer,
    audience: options.audience,
    algorithms: options.algorithms.filter((alg) => alg.toLowerCase() !== "none"),
    clockTolerance: options.clockToleranceSeconds ?? 5,
    requiredClaims: ["exp", "sub"],
  };
}

function rolesOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((role): role is string => typeof role === "string");
  if (typeof claim === "string") return claim.split(/[\s,]+/).filter(Boolean);
  return [];
}

function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "Token expired";
  if (error instanceof errors.JWTClaimValidationFailed) return `Token ${error.claim} claim is not accepted`;
  if (error instanceof errors.JOSEAlgNotAllowed) return "Token algorithm is not allowed";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "Token signature is invalid";
  return "Token is invalid";
}
