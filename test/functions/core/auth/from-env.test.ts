import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { verifierFromEnv } from "../../../../functions/core/auth/from-env.js";
import { signLocalToken } from "../../../../functions/core/auth/local-token.js";
import { loadConfig } from "../../../../functions/contracts/config/load.js";

describe("verifierFromEnv", () => {
  it("takes the maximum token lifetime from the deployed configuration", async () => {
    const secret = "a-local-signing-secret-of-enough-length-0123456789";
    mockClient(SecretsManagerClient).on(GetSecretValueCommand).resolves({ SecretString: secret });
    const config = loadConfig("local", { auth: { maxTokenLifetimeSeconds: 600 } });
    const claims = { issuer: "groundcrew-local", audience: "groundcrew-api" };
    const verify = await verifierFromEnv({
      GROUNDCREW_CONFIG: JSON.stringify(config),
      AUTH_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:auth",
      AUTH_ISSUER: claims.issuer,
      AUTH_AUDIENCE: claims.audience,
      AUTH_ROLES_CLAIM: "roles",
    });
    const key = new TextEncoder().encode(secret);
    await expect(
      verify(await signLocalToken(key, { ...claims, sub: "alice", ttlSeconds: 600 })),
    ).resolves.toMatchObject({ sub: "alice" });
    await expect(
      verify(await signLocalToken(key, { ...claims, sub: "alice", ttlSeconds: 3600 })),
    ).rejects.toMatchObject({ statusCode: 401 });
  });
});
