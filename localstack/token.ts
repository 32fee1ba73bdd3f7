import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readSigningSecret } from "../functions/core/auth/from-env.js";
import { parseTtlSeconds, signLocalToken } from "../functions/core/auth/local-token.js";
import { loadConfig } from "../functions/contracts/config/load.js";
import { parseCommandLine, runCommand, UsageError } from "./cli.js";
import { readLocalOutputs } from "./deploy.js";
import { awsLocalEnv, outputsFile } from "./env.js";

export interface LocalTokenOptions {
  sub: string;
  admin?: boolean;
  roles?: string[];
  ttlSeconds?: number;
}

/** A token the local stack accepts, signed with the secret the stack keeps in the emulator's Secrets Manager. */
export async function localToken(
  options: LocalTokenOptions,
  outputs: Record<string, string> = readLocalOutputs(),
): Promise<string> {
  const env = awsLocalEnv();
  const client = new SecretsManagerClient({
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const secretArn = outputs.AuthSecretArn;
  if (!secretArn || !outputs.AuthIssuer || !outputs.AuthAudience) {
    throw new Error(`${outputsFile} has no AuthSecretArn/AuthIssuer/AuthAudience: run npm run local:up first`);
  }
  const secret = await readSigningSecret(secretArn, client).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message || error.name : String(error);
    throw new Error(
      `could not read the signing secret from ${env.AWS_ENDPOINT_URL} (${reason}): is the local stack running?`,
    );
  });
  const roles = [...(options.roles ?? []), ...(options.admin ? ["admin"] : [])];
  return signLocalToken(secret, {
    sub: options.sub,
    roles,
    issuer: outputs.AuthIssuer,
    audience: outputs.AuthAudience,
    ttlSeconds: options.ttlSeconds,
  });
}

const usage = `usage: npm run token -- --sub <user> [--admin] [--role <role>]... [--ttl <seconds>]
  --sub <user>      the token's subject (required)
  --admin           adds the admin role
  --role <role>     adds a role (repeatable)
  --ttl <seconds>   lifetime, default 3600, at most auth.maxTokenLifetimeSeconds
The token is printed alone on the last line: TOKEN=$(npm run -s token -- --sub alice | tail -1)`;

const commandLine = {
  usage,
  args: {
    options: {
      sub: { type: "string" },
      admin: { type: "boolean", default: false },
      ttl: { type: "string", default: "3600" },
      role: { type: "string", multiple: true },
    },
  },
} as const;

async function main(): Promise<void> {
  const { values } = parseCommandLine(commandLine);
  if (!values.sub) throw new UsageError("--sub is required");
  let ttlSeconds: number;
  try {
    // The local stack is deployed with the local stage's configuration, so its limit is the API's.
    ttlSeconds = parseTtlSeconds(values.ttl, loadConfig("local").auth.maxTokenLifetimeSeconds);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const token = await localToken({ sub: values.sub, admin: values.admin, roles: values.role, ttlSeconds });
  console.error(`token for ${values.sub}${values.admin ? " (admin)" : ""}, valid ${ttlSeconds}s:`);
  console.log(token);
}

if (import.meta.url === `file://${process.argv[1]}`) await runCommand(usage, main);
