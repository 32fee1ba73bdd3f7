import { App, type AppProps } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConfigInput } from "../../functions/contracts/config/schema.js";
import { loadConfig } from "../../functions/contracts/config/load.js";
import { repoRoot } from "../../infra/paths.js";
import { GroundcrewStack } from "../../infra/stacks/groundcrew-stack.js";

/** The feature flags and other context cdk.json gives the CLI, so tests build what `cdk synth` builds. */
const cdkJsonContext =
  (JSON.parse(readFileSync(join(repoRoot, "cdk.json"), "utf8")) as { context?: Record<string, unknown> }).context ?? {};

/**
 * An App for assertion tests, with the two slow parts of a synth left to test/infra/synth-cli.test.ts
 * (a real `npm run synth`, then cfn-lint):
 * - bundling is skipped (an empty `aws:cdk:bundling-stacks` list), so each NodejsFunction gets a
 *   placeholder asset instead of running esbuild; the templates are otherwise the same;
 * - CDK's built-in CloudFormation validation is off: starting its rule engine costs seconds in
 *   every test file.
 */
export function testApp(props: AppProps = {}): App {
  return new App({
    builtinCloudFormationValidation: false,
    ...props,
    context: { ...cdkJsonContext, "aws:cdk:bundling-stacks": [], ...props.context },
  });
}

const cache = new Map<string, { stack: GroundcrewStack; template: Template }>();

/** Synthesises a stage once per test file (vitest gives each file its own module scope). */
export function synthStage(
  stage: "local" | "prod",
  overrides: Partial<ConfigInput> = {},
): { stack: GroundcrewStack; template: Template } {
  const key = `${stage}:${JSON.stringify(overrides)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const app = testApp();
  const stack = new GroundcrewStack(app, `test-${stage}`, {
    config: loadConfig(stage, overrides),
    env: { account: "123456789012", region: "eu-west-1" },
    localDataApiUrl: stage === "local" ? "http://127.0.0.1:4567" : undefined,
  });
  const result = { stack, template: Template.fromStack(stack) };
  cache.set(key, result);
  return result;
}
