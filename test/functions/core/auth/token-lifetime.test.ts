import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { parseTtlSeconds, signLocalToken } from "../../../../functions/core/auth/local-token.js";
import { tokenLifetimeProblem } from "../../../../functions/core/auth/token-lifetime.js";
import { createVerifier } from "../../../../functions/core/auth/verifier.js";

const secret = new TextEncoder().encode("a-local-signing-secret-of-enough-length-0123456789");
const claims = { issuer: "groundcrew-local", audience: "groundcrew-api" };
const verifierWith = (maxLifetimeSeconds?: number) =>
  createVerifier({ ...claims, algorithms: ["HS256"], key: secret, rolesClaim: "roles", maxLifetimeSeconds });
const nowSeconds = () => Math.floor(Date.now() / 1000);
const DAY = 86_400;

/** A token with exactly the iat/exp given (iat left out when undefined). */
function tokenWith(times: { iat?: number; exp: number }): Promise<string> {
  const jwt = new SignJWT({ roles: [] })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("alice")
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setExpirationTime(times.exp);
  if (times.iat !== undefined) jwt.setIssuedAt(times.iat);
  return jwt.sign(secret);
}

describe("the maximum token lifetime", () => {
  it("refuses by default a token issued for ten years, and one issued for a second over a day", async () => {
    const verify = verifierWith();
    const now = nowSeconds();
    await expect(
      verify(await signLocalToken(secret, { ...claims, sub: "alice", ttlSeconds: 10 * 365 * DAY })),
    ).rejects.toMatchObject({
      statusCode: 401,
      message: "Token lifetime exceeds the maximum of 86400 seconds",
    });
    await expect(verify(await tokenWith({ iat: now - 10, exp: now - 10 + DAY + 1 }))).rejects.toMatchObject({
      statusCode: 401,
    });
    await expect(verify(await tokenWith({ iat: now - 10, exp: now - 10 + DAY }))).resolves.toEqual({
      sub: "alice",
      roles: [],
    });
  });

  it("measures a token without iat from now", async () => {
    const verify = verifierWith();
    const now = nowSeconds();
    await expect(verify(await tokenWith({ exp: now + 2 * DAY }))).rejects.toMatchObject({
      statusCode: 401,
      message: "Token expiry is more than 86400 seconds away",
    });
    await expect(verify(await tokenWith({ exp: now + DAY - 60 }))).resolves.toMatchObject({ sub: "alice" });
  });

  it("is not fooled by an iat set in the future", async () => {
    const later = nowSeconds() + 300 * DAY;
    await expect(verifierWith()(await tokenWith({ iat: later, exp: later + 60 }))).rejects.toMatchObject({
      statusCode: 401,
    });
  });

  it("follows the configured maximum", async () => {
    const token = await signLocalToken(secret, { ...claims, sub: "alice", ttlSeconds: 3600 });
    await expect(verifierWith(600)(token)).rejects.toMatchObject({ statusCode: 401 });
    await expect(verifierWith(3600)(token)).resolves.toMatchObject({ sub: "alice" });
  });

  it("tolerates clock skew only on the distance from now, never on the issued lifetime", () => {
    expect(tokenLifetimeProblem({ exp: 1000 + 100 + 5 }, 100, 1000, 5)).toBeUndefined();
    expect(tokenLifetimeProblem({ exp: 1000 + 100 + 6 }, 100, 1000, 5)).toMatch(/more than 100 seconds away/);
    expect(tokenLifetimeProblem({ iat: 1000, exp: 1101 }, 100, 1000, 5)).toMatch(/exceeds the maximum of 100 seconds/);
  });
});

describe("parseTtlSeconds (npm run token -- --ttl)", () => {
  it("takes whole seconds up to the maximum", () => {
    expect(parseTtlSeconds("3600", DAY)).toBe(3600);
    expect(parseTtlSeconds("86400", DAY)).toBe(DAY);
  });

  it("explains in one line what is wrong", () => {
    expect(() => parseTtlSeconds("abc", DAY)).toThrow('--ttl must be a whole number of seconds, got "abc"');
    for (const raw of ["1.5", "-5", "", "1e9", "0x10"]) expect(() => parseTtlSeconds(raw, DAY)).toThrow(/whole number/);
    expect(() => parseTtlSeconds("0", DAY)).toThrow("--ttl must be at least 1 second");
    expect(() => parseTtlSeconds("86401", DAY)).toThrow(
      "--ttl 86401 is longer than auth.maxTokenLifetimeSeconds (86400); the API would refuse the token",
    );
  });
});
