import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createRemoteJWKSet } from "jose";
import { authVariables, readVariables } from "../../contracts/environment.js";
import { runtimeConfiguration } from "../config/runtime.js";
import { LOCAL_ALGORITHM } from "./local-token.js";
import { createVerifier, type Verifier } from "./verifier.js";

let verifier: Promise<Verifier> | undefined;

/**
 * The verifier of the deployed function, built once per cold start from what infra/constructs/auth.ts
 * bound: a JWKS URL (prod, any OIDC provider) or the ARN of the local stage's signing secret.
 */
export function verifierFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<Verifier> {
  verifier ??= build(env).catch((error: unknown) => {
    verifier = undefined;
    throw error;
  });
  return verifier;
}

async function build(env: NodeJS.ProcessEnv): Promise<Verifier> {
  const {
    AUTH_ISSUER: issuer,
    AUTH_AUDIENCE: audience,
    AUTH_ROLES_CLAIM: rolesClaim,
    AUTH_JWKS_URL: jwksUrl,
    AUTH_SECRET_ARN: secretArn,
  } = readVariables(authVariables, env);
  // The lifetime limit is plain configuration: it reaches the function with the rest of GROUNDCREW_CONFIG.
  const maxLifetimeSeconds = runtimeConfiguration(env).auth.maxTokenLifetimeSeconds;
  if (jwksUrl) {
    const key = createRemoteJWKSet(new URL(jwksUrl));
    return createVerifier({ issuer, audience, rolesClaim, maxLifetimeSeconds, algorithms: ["RS256", "ES256"], key });
  }
  if (!secretArn) throw new Error("AUTH_JWKS_URL or AUTH_SECRET_ARN must be set: set by Auth.bind in CDK");
  const secret = await readSigningSecret(secretArn);
  return createVerifier({
    issuer,
    audience,
    rolesClaim,
    maxLifetimeSeconds,
    algorithms: [LOCAL_ALGORITHM],
    key: secret,
  });
}

export async function readSigningSecret(secretArn: string, client = new SecretsManagerClient({})): Promise<Uint8Array> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!SecretString) throw new Error("The auth signing secret is empty");
  return new TextEncoder().encode(SecretString);
}
