import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { localToken } from "../../localstack/token.js";
import { api, outputs } from "./outputs.js";

const withToken = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe("authentication on the deployed local stack", () => {
  let issuer: string;
  let audience: string;

  beforeAll(() => {
    ({ AuthIssuer: issuer, AuthAudience: audience } = outputs() as {
      AuthIssuer: string;
      AuthAudience: string;
    } & ReturnType<typeof outputs>);
  });

  it("lets anyone reach public routes and no one reach user routes without a token (401)", async () => {
    expect((await api("/health")).status).toBe(200);
    const anonymous = await api("/media");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.detail).toBe("Missing bearer token");
    expect((await api("/media", { headers: { authorization: "Basic YWxpY2U6c2VjcmV0" } })).status).toBe(401);
  });

  it("accepts a token from npm run token", async () => {
    expect((await api("/media", withToken(await localToken({ sub: "alice" })))).status).toBe(200);
  });

  it("refuses forged, expired, alg-none and wrong-audience tokens with 401", async () => {
    const forged = await new SignJWT({ roles: ["admin"] })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("mallory")
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("not-the-stack-secret-not-the-stack-secret-00"));
    const expired = await localToken({ sub: "alice", ttlSeconds: -120 });
    const [header, payload] = (await localToken({ sub: "mallory", admin: true })).split(".");
    const algNone = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
    const tamperedPayload = `${header}.${Buffer.from(JSON.stringify({ sub: "mallory", roles: ["admin"], iss: issuer, aud: audience, exp: 4102444800 })).toString("base64url")}.${(await localToken({ sub: "x" })).split(".")[2]}`;

    for (const [name, token] of Object.entries({ forged, expired, algNone, tamperedPayload })) {
      const response = await api("/admin/media", withToken(token));
      expect(response.status, name).toBe(401);
    }
    expect((await api("/media", withToken(expired))).body.detail).toBe("Token expired");
  });

  it("answers 403 to a valid token without the admin role on an admin route, 200 with it", async () => {
    expect((await api("/admin/media", withToken(await localToken({ sub: "alice" })))).status).toBe(403);
    expect((await api("/admin/media", withToken(await localToken({ sub: "ops", admin: true })))).status).toBe(200);
  });
});
