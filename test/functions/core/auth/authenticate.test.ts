import { SignJWT, UnsecuredJWT, generateKeyPair } from "jose";
import { describe, expect, it, vi } from "vitest";
import * as z from "zod";
import { authenticate } from "../../../../functions/core/auth/authenticate.js";
import { signLocalToken } from "../../../../functions/core/auth/local-token.js";
import { createVerifier } from "../../../../functions/core/auth/verifier.js";
import { json } from "../../../../functions/core/http/responses.js";
import { defineRoute } from "../../../../functions/core/http/route.js";
import { httpEvent } from "../../../support/http-event.js";

const secret = new TextEncoder().encode("a-local-signing-secret-of-enough-length-0123456789");
const claims = { issuer: "groundcrew-local", audience: "groundcrew-api" };
const verifier = createVerifier({ ...claims, algorithms: ["HS256"], key: secret, rolesClaim: "roles" });
const getVerifier = async () => verifier;
const withToken = (token: string) => httpEvent({ headers: { Authorization: `Bearer ${token}` } });

describe("authenticate", () => {
  it("accepts a valid token and returns the principal with roles", async () => {
    const token = await signLocalToken(secret, { ...claims, sub: "alice", roles: ["admin"] });
    expect(await authenticate(withToken(token), "admin", getVerifier)).toEqual({ sub: "alice", roles: ["admin"] });
  });

  it("refuses a missing token, a forged one, alg none, a wrong audience and an expired one with 401", async () => {
    const otherSecret = new TextEncoder().encode("another-secret-another-secret-another-secret-00");
    const forged = await signLocalToken(otherSecret, { ...claims, sub: "mallory" });
    const unsecured = new UnsecuredJWT({ roles: ["admin"] })
      .setSubject("mallory")
      .setIssuer(claims.issuer)
      .setAudience(claims.audience)
      .setExpirationTime("1h")
      .encode();
    const wrongAudience = await signLocalToken(secret, { ...claims, audience: "someone-else", sub: "bob" });
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("bob")
      .setIssuer(claims.issuer)
      .setAudience(claims.audience)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(secret);
    const { privateKey } = await generateKeyPair("RS256");
    const otherAlgorithm = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256" })
      .setSubject("bob")
      .setIssuer(claims.issuer)
      .setAudience(claims.audience)
      .setExpirationTime("1h")
      .sign(privateKey);

    await expect(authenticate(httpEvent(), "user", getVerifier)).rejects.toMatchObject({
      statusCode: 401,
      message: "Missing bearer token",
    });
    for (const token of [forged, unsecured, wrongAudience, expired, otherAlgorithm, "not.a.jwt"]) {
      await expect(authenticate(withToken(token), "user", getVerifier)).rejects.toMatchObject({ statusCode: 401 });
    }
    await expect(authenticate(withToken(expired), "user", getVerifier)).rejects.toThrow("Token expired");
  });

  it("answers 403 when the admin role is missing", async () => {
    const token = await signLocalToken(secret, { ...claims, sub: "bob", roles: ["staff"] });
    await expect(authenticate(withToken(token), "admin", getVerifier)).rejects.toMatchObject({ statusCode: 403 });
  });

  it("lets public routes through without asking for a verifier", async () => {
    const never = vi.fn();
    expect(await authenticate(httpEvent(), "public", never)).toBeUndefined();
    expect(never).not.toHaveBeenCalled();
  });
});

describe("routes", () => {
  const handle = vi.fn(async () => json(200, {}));
  const route = defineRoute({
    method: "POST",
    path: "/x",
    verifier: getVerifier,
    body: z.object({ name: z.string().min(1) }),
    query: z.object({ limit: z.coerce.number().int().max(10).optional() }),
    handle,
  });
  const anonymous = (init: Parameters<typeof httpEvent>[0]) => route.handler(httpEvent(init), {} as never);

  it("authenticate before validating, so anonymous callers learn nothing about the input", async () => {
    // Each of these would be a 400 naming the problem for a signed-in caller.
    for (const init of [
      { body: "{broken" },
      { body: JSON.stringify({ name: 7 }) },
      { body: JSON.stringify({ name: "a\u0000b" }) },
      { body: JSON.stringify({ name: "ok" }), queryStringParameters: { limit: "999" } },
    ]) {
      const response = await anonymous(init);
      expect(response.statusCode, init.body).toBe(401);
      expect(response.body).not.toMatch(/name|limit|JSON|text/);
    }
    expect(handle).not.toHaveBeenCalled();
  });

  it("validates once the caller is known", async () => {
    const token = await signLocalToken(secret, { ...claims, sub: "alice", roles: [] });
    const response = await route.handler(
      httpEvent({ headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 7 }) }),
      {} as never,
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/body\.name/);
    expect(handle).not.toHaveBeenCalled();
  });
});
