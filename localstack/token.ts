import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { readSigningSecret } from "../functions/core/auth/from-env.js";
import { parseTtlSeconds, signLocalToken } from "../functions/core/auth/local-token.js";
import { loadConfig } from "../functions/contracts/config/load.js";
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
  outputs: Record<string, string> = readOutputs(),
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
  const secret = await readSigningSecret(secretArn, client);
  const roles = [...(options.roles ?? []), ...(options.admin ? ["admin"] : [])];
  return signLocalToken(secret, {
    sub: options.sub,
    roles,
    issuer: outputs.AuthIssuer,
    audience: outputs.AuthAudience,
    ttlSeconds: options.ttlSeconds,
  });
}

function readOutputs(): Record<string, string> {
  return JSON.parse(readFileSync(outputsFile, "utf8")) as Record<string, string>;
}

const usage = "usage: npm run token -- --sub <user> [--admin] [--role <role>]... [--ttl <seconds>]";

/** The command line: mistakes end in one line on stderr and exit code 2, never a stack trace. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: "string" },
      admin: { type: "boolean", default: false },
      ttl: { type: "string", default: "3600" },
      role: { type: "string", multiple: true },
    },
  });
  if (!values.sub) throw new RangeError(usage);
  // The local stack is deployed with the local stage's configuration, so its limit is the API's.
  const ttlSeconds = parseTtlSeconds(values.ttl, loadConfig("local").auth.maxTokenLifetimeSeconds);
  const token = await localToken({ sub: values.sub, admin: values.admin, roles: values.role, ttlSeconds });
  console.error(`token for ${values.sub}${values.admin ? " (admin)" : ""}, valid ${ttlSeconds}s:`);
  console.log(token);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main().catch((error: unknown) => {
    console.error(`npm run token: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  });
}
