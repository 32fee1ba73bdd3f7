import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { OidcSignIn } from "../../console/src/config.js";
import { parseConfig } from "../../console/src/config.js";
import { authorizeUrl, codeChallenge, randomVerifier, tokenRequest } from "../../console/src/pkce.js";
import { claimsOf, isExpired } from "../../console/src/claims.js";

const cognito: OidcSignIn = {
  kind: "oidc",
  authorizeUrl: "https://auth.example.com/oauth2/authorize",
  tokenUrl: "https://auth.example.com/oauth2/token",
  clientId: "client123",
  scopes: ["openid", "email"],
};

describe("sign-in with PKCE", () => {
  it("makes verifiers of 43 URL-safe characters, different each time", () => {
    const a = randomVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomVerifier()).not.toBe(a);
  });

  it("derives the S256 challenge as RFC 7636 does (its appendix B example, and Node's own SHA-256)", async () => {
    expect(await codeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
    const verifier = randomVerifier();
    expect(await codeChallenge(verifier)).toBe(createHash("sha256").update(verifier).digest("base64url"));
  });

  it("asks the provider for a code with the challenge, and exchanges it with the verifier", () => {
    const url = new URL(
      authorizeUrl(cognito, { redirectUri: "https://app.example.com/console/", state: "s1", challenge: "c1" }),
    );
    expect(url.origin + url.pathname).toBe("https://auth.example.com/oauth2/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: "code",
      client_id: "client123",
      redirect_uri: "https://app.example.com/console/",
      scope: "openid email",
      state: "s1",
      code_challenge: "c1",
      code_challenge_method: "S256",
    });
    const form = tokenRequest(cognito, { code: "k", redirectUri: "https://app.example.com/console/", verifier: "v" });
    expect(form.toString()).toBe(
      "grant_type=authorization_code&client_id=client123&code=k&redirect_uri=https%3A%2F%2Fapp.example.com%2Fconsole%2F&code_verifier=v",
    );
  });

  it("reads config.json for either way of signing in, and refuses anything else", () => {
    expect(parseConfig({ apiBaseUrl: "/api", signIn: { kind: "token" } })).toEqual({
      apiBaseUrl: "/api",
      signIn: { kind: "token" },
    });
    expect(parseConfig({ apiBaseUrl: "/api", signIn: { ...cognito, scopes: undefined } }).signIn).toMatchObject({
      scopes: ["openid"],
    });
    expect(() => parseConfig({ apiBaseUrl: "/api", signIn: { kind: "oidc" } })).toThrow(/signIn must be/);
    expect(() => parseConfig({})).toThrow(/apiBaseUrl is missing/);
  });
});

describe("the token's claims, for display", () => {
  const token = (claims: object) => `x.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;

  it("reads the subject, the roles (or Cognito's groups) and the expiry", () => {
    expect(claimsOf(token({ sub: "alice", roles: ["admin"], exp: 10 }))).toEqual({
      sub: "alice",
      roles: ["admin"],
      exp: 10,
    });
    expect(claimsOf(token({ sub: "bob", "cognito:groups": ["admin"] }))?.roles).toEqual(["admin"]);
    expect(claimsOf(token({ sub: "zoë" }))?.sub).toBe("zoë");
    expect(claimsOf("not-a-token")).toBeUndefined();
    expect(claimsOf("a.%%%.c")).toBeUndefined();
  });

  it("treats an expired or unreadable token as signed out", () => {
    expect(isExpired({ roles: [], exp: 100 }, 100)).toBe(true);
    expect(isExpired({ roles: [], exp: 101 }, 100)).toBe(false);
    expect(isExpired(undefined)).toBe(true);
  });
});
