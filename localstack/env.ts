import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the local test bed lives and how it is reached; every script reads these, nothing hard-codes them. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
export const localDir = process.env.GROUNDCREW_LOCAL_DIR ?? join(repoRoot, ".local");
export const logDir = join(localDir, "logs");
/** The emulator's virtualenv is shared by every state folder: it depends only on requirements.txt. */
export const venvDir = process.env.GROUNDCREW_VENV ?? join(repoRoot, ".local", "venv");
export const cdkOutDir = join(localDir, "cdk.out");
export const outputsFile = join(localDir, "outputs.json");

export const localRegion = "us-east-1";
export const localAccount = "000000000000";
export const emulatorEndpoint = process.env.AWS_ENDPOINT_URL ?? "http://127.0.0.1:4566";
export const dataApiPort = Number(process.env.GROUNDCREW_DATA_API_PORT ?? 4567);
export const dataApiUrl = `http://127.0.0.1:${dataApiPort}`;
/**
 * What the deployed functions use to reach the Data API stand-in. ministack runs them as host
 * processes, so loopback works; functions inside LocalStack's containers need host.docker.internal.
 */
export const dataApiUrlForFunctions = process.env.GROUNDCREW_DATA_API_URL_FOR_FUNCTIONS ?? dataApiUrl;

export const localDatabase = {
  DB_CLUSTER_ARN: `arn:aws:rds:${localRegion}:${localAccount}:cluster:groundcrew-local`,
  DB_SECRET_ARN: `arn:aws:secretsmanager:${localRegion}:${localAccount}:secret:groundcrew-local-db`,
  DB_NAME: "groundcrew",
} as const;

/** Credentials and endpoints for talking to the emulator; the values are what LocalStack and ministack accept. */
export function awsLocalEnv(): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: emulatorEndpoint,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: localRegion,
    AWS_DEFAULT_REGION: localRegion,
    CDK_DEFAULT_ACCOUNT: localAccount,
    CDK_DEFAULT_REGION: localRegion,
  };
}

export function localDatabaseEnv(): Record<string, string> {
  return { ...awsLocalEnv(), ...localDatabase, AWS_ENDPOINT_URL_RDS_DATA: dataApiUrl };
}
