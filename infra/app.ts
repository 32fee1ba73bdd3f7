import { App } from "aws-cdk-lib";
import { join } from "node:path";
import { buildConsole } from "../console/build.js";
import { ConfigError, loadConfig } from "../functions/contracts/config/load.js";
import { GroundcrewStack } from "./stacks/groundcrew-stack.js";

const app = new App();
const stage = String(app.node.tryGetContext("stage") ?? "prod");

try {
  const config = loadConfig(stage, parseOverrides(app.node.tryGetContext("config")));
  // The operator console, built fresh at each synth (esbuild, ~0.1 s) for the front door to publish at
  // /console/. Without its config.json: the deploy writes that one (the Cognito domain is a token here).
  // Locally the front door of localstack/ serves the build local:up makes.
  const consoleAssetDir =
    config.stage === "local"
      ? undefined
      : (await buildConsole(join(app.outdir, "console-build"), { config: false })).outDir;
  new GroundcrewStack(app, `${config.app}-${config.stage}`, {
    config,
    env: config.stage === "local" ? { account: "000000000000", region: "us-east-1" } : deployTarget(),
    localDataApiUrl:
      config.stage === "local" ? String(app.node.tryGetContext("dataApiUrl") ?? "http://127.0.0.1:4567") : undefined,
    localEndpoint: config.stage === "local" ? (process.env.AWS_ENDPOINT_URL ?? "http://127.0.0.1:4566") : undefined,
    description: `Groundcrew (${config.stage}): API, workers, scheduler, maintenance, static and media`,
    consoleAssetDir,
  });
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

/** `-c config='{"queues":{"default":{"maxConcurrency":5}}}'` overrides the stage's values. */
function parseOverrides(raw: unknown): Record<string, unknown> {
  if (raw === undefined) return {};
  if (typeof raw === "object" && raw !== null) return raw as Record<string, unknown>;
  try {
    return JSON.parse(typeof raw === "string" ? raw : JSON.stringify(raw)) as Record<string, unknown>;
  } catch {
    throw new ConfigError(`Invalid Groundcrew configuration:\n  - config: the -c config=... value is not JSON`);
  }
}

/**
 * With credentials the CLI sets CDK_DEFAULT_ACCOUNT/REGION and the stack is bound to that account.
 * Without them the template is environment-agnostic (account and region are filled in by
 * CloudFormation), so `npm run synth` works on any machine; the CLI's fallback region (us-east-1)
 * is then not written into the template.
 */
function deployTarget(): { account: string; region?: string } | undefined {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  return account ? { account, region: process.env.CDK_DEFAULT_REGION } : undefined;
}
