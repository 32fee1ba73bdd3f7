import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { ConfigInput } from "../../functions/core/config/schema.js";
import { loadConfig } from "../../functions/core/config/load.js";
import { GroundcrewStack } from "../../infra/stacks/groundcrew-stack.js";

const cache = new Map<string, { stack: GroundcrewStack; template: Template }>();

/** Synthesises a stage once per test run (bundling every function costs seconds). */
export function synthStage(stage: "local" | "prod", overrides: Partial<ConfigInput> = {}): { stack: GroundcrewStack; template: Template } {
  const key = `${stage}:${JSON.stringify(overrides)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const app = new App();
  const stack = new GroundcrewStack(app, `test-${stage}`, {
    config: loadConfig(stage, overrides),
    env: { account: "123456789012", region: "eu-west-1" },
    localDataApiUrl: stage === "local" ? "http://127.0.0.1:4567" : undefined,
  });
  const result = { stack, template: Template.fromStack(stack) };
  cache.set(key, result);
  return result;
}
