import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createRemoteJWKSet } from "jose";
import { runtimeConfiguration } from "../config/load.js";
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
  const issuer = required(env, "AUTH_ISSUER");
  const audience = required(env, "AUTH_AUDIENCE");
  const rolesClaim = env.AUTH_ROLES_CLAIM ?? "roles";
  // The lifetime limit is plain configuration: it reaches the function with the rest of GROUNDCREW_CONFIG.
  const maxLifetimeSeconds = runtimeConfiguration(env).auth.maxTokenLifetimeSeconds;
  if (env.AUTH_JWKS_URL) {
    const key = createRemoteJWKSet(new URL(env.AUTH_JWKS_URL));
    return createVerifier({ issuer, audience, rolesClaim, maxLifetimeSeconds, algorithms: ["RS256", "ES256"], key });
  }
  const secret = await readSigningSecret(required(env, "AUTH_SECRET_ARN"));
  return createVerifier({ issuer, audience, rolesClaim, maxLifetimeSeconds, algorithms: [LOCAL_ALGORITHM], key: secret });
}

export async function readSigningSecret(secretArn: string, client = new SecretsManagerClient({})): Promise<Uint8Array> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!SecretString) throw new Error("The auth signing secret is empty");
  return new TextEncoder().encode(SecretString);
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: bind the function to Auth in CDK`);
  return value;
}
