import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** What the key generator stores (functions/media/keygen): both halves, so an update can return the public one. */
export interface SigningKeySecret {
  privateKey: string;
  publicKey: string;
}

/** The PEM private key in a secret: either a bare PEM or the generator's JSON. */
export function privateKeyFrom(secretString: string): string {
  const text = secretString.trim();
  if (text.startsWith("-----BEGIN")) return text;
  const parsed = JSON.parse(text) as Partial<SigningKeySecret>;
  if (!parsed.privateKey?.startsWith("-----BEGIN"))
    throw new Error("The media signing key secret holds no PEM private key");
  return parsed.privateKey;
}

/** Reads the key once per cold start; a failed read is retried on the next call. */
export function cachedPrivateKey(
  secretArn: string,
  client: SecretsManagerClient = new SecretsManagerClient({}),
): () => Promise<string> {
  let key: Promise<string> | undefined;
  return () => {
    key ??= client
      .send(new GetSecretValueCommand({ SecretId: secretArn }))
      .then(({ SecretString }) => privateKeyFrom(SecretString ?? ""))
      .catch((error: unknown) => {
        key = undefined;
        throw error;
      });
    return key;
  };
}
