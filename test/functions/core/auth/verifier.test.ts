import { SignJWT } from "jose";
import { webcrypto } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signLocalToken } from "../../../../functions/core/auth/local-token.js";
import { createVerifier } from "../../../../functions/core/auth/verifier.js";

const secret = new TextEncoder().encode("a-local-signing-secret-of-enough-length-0123456789");
const claims = { issuer: "groundcrew-local", audience: "groundcrew-api" };
const signed = (alg: string, key = secret) =>
  new SignJWT({})
    .setProtectedHeader({ alg })
    .setSubject("alice")
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setExpirationTime("1h")
    .sign(key);

afterEach(() => vi.restoreAllMocks());

describe("createVerifier with a shared secret", () => {
  it("imports the secret into a key once, not at every verify", async () => {
    const importKey = vi.spyOn(webcrypto.subtle, "importKey");
    const verifier = createVerifier({ ...claims, algorithms: ["HS256"], key: secret, rolesClaim: "roles" });
    for (const sub of ["alice", "bob", "carol"]) {
      const token = await signLocalToken(secret, { ...claims, sub });
      importKey.mockClear(); // signing imports too; only verifying counts
      await expect(verifier(token)).resolves.toMatchObject({ sub });
      if (sub !== "alice") expect(importKey).not.toHaveBeenCalled();
    }
  });

  it("still refuses another secret, and an algorithm outside the list even when the secret is right", async () => {
    const verifier = createVerifier({ ...claims, algorithms: ["HS256", "HS512"], key: secret, rolesClaim: "roles" });
    const other = new TextEncoder().encode("another-secret-another-secret-another-secret-00");
    await expect(verifier(await signed("HS512"))).resolves.toMatchObject({ sub: "alice" });
    await expect(verifier(await signed("HS256", other))).rejects.toThrow("Token signature is invalid");
    await expect(verifier(await signed("HS384"))).rejects.toThrow("Token algorithm is not allowed");
  });
});
