import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { CloudFormationCustomResourceEvent } from "aws-lambda";
import { generateKeyPairSync } from "node:crypto";
import { ensureEnvironment } from "../../core/environment-check.js";
import type { SigningKeySecret } from "../signing-key.js";

export interface KeygenResult {
  PhysicalResourceId: string;
  Data: { PublicKeyPem: string };
}

/**
 * Creates the CloudFront signing key pair during the deploy: the private half goes straight into
 * the Secrets Manager secret (so it exists nowhere else), the public half goes back to CloudFormation
 * for the CloudFront public key. A changed `Generation` property rotates the pair.
 */
export async function ensureSigningKey(
  event: CloudFormationCustomResourceEvent,
  client: SecretsManagerClient,
): Promise<KeygenResult> {
  const secretArn = String(event.ResourceProperties.SecretArn);
  const generation = String(event.ResourceProperties.Generation ?? "1");
  const physicalId = `media-signing-key-${generation}`;
  if (event.RequestType === "Delete")
    return { PhysicalResourceId: event.PhysicalResourceId, Data: { PublicKeyPem: "" } };
  if (event.RequestType === "Update" && event.PhysicalResourceId === physicalId) {
    const existing = await readExisting(secretArn, client);
    if (existing) return { PhysicalResourceId: physicalId, Data: { PublicKeyPem: existing.publicKey } };
  }
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const value: SigningKeySecret = { privateKey, publicKey };
  await client.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify(value) }));
  return { PhysicalResourceId: physicalId, Data: { PublicKeyPem: publicKey } };
}

async function readExisting(secretArn: string, client: SecretsManagerClient): Promise<SigningKeySecret | undefined> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  try {
    const parsed = JSON.parse(SecretString ?? "") as Partial<SigningKeySecret>;
    return parsed.privateKey && parsed.publicKey ? (parsed as SigningKeySecret) : undefined;
  } catch {
    return undefined;
  }
}

const client = new SecretsManagerClient({});

export const handler = (event: CloudFormationCustomResourceEvent): Promise<KeygenResult> => {
  ensureEnvironment("media-keygen");
  return ensureSigningKey(event, client);
};
