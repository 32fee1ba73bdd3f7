import { App } from "aws-cdk-lib";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../functions/contracts/config/load.js";
import { repoRoot } from "../infra/paths.js";
import { GroundcrewStack } from "../infra/stacks/groundcrew-stack.js";

/**
 * The environment each function kind is deployed with, read from the prod stack (synthesised without
 * bundling), so a bench loads a handler with what CDK gives it. References to other resources (queue
 * URLs, ARNs) become placeholders: at load they only have to parse.
 */
export function functionEnvironments(): Map<string, Record<string, string>> {
  const context =
    (JSON.parse(readFileSync(join(repoRoot, "cdk.json"), "utf8")) as { context?: Record<string, unknown> }).context ??
    {};
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { ...context, "aws:cdk:bundling-stacks": [] },
  });
  const stack = new GroundcrewStack(app, "bench-prod", {
    config: loadConfig("prod"),
    env: { account: "123456789012", region: "eu-west-1" },
  });
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties?: { Environment?: { Variables?: Record<string, unknown> } } }>;
  };
  const byKind = new Map<string, Record<string, string>>();
  for (const resource of Object.values(template.Resources)) {
    const variables =
      resource.Type === "AWS::Lambda::Function" ? resource.Properties?.Environment?.Variables : undefined;
    const kind = variables?.GROUNDCREW_FUNCTION;
    if (typeof kind !== "string" || byKind.has(kind)) continue;
    byKind.set(
      kind,
      Object.fromEntries(Object.entries(variables ?? {}).map(([name, value]) => [name, resolve(value)])),
    );
  }
  return byKind;
}

function resolve(value: unknown): string {
  if (typeof value === "string") return value;
  const join = (value as { "Fn::Join"?: [string, unknown[]] })["Fn::Join"];
  if (join) return join[1].map(resolve).join(join[0]);
  return "https://placeholder.invalid/arn:aws:bench:eu-west-1:123456789012:placeholder";
}
