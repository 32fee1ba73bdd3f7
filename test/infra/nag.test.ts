import { Validations, type Environment } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../functions/contracts/config/load.js";
import type { ConfigInput } from "../../functions/contracts/config/schema.js";
import { GroundcrewStack } from "../../infra/stacks/groundcrew-stack.js";
import { testApp } from "./synth.js";

describe("cdk-nag AwsSolutions on the prod stage", () => {
  // Acknowledgement ids name the account and region, so both shapes `npm run synth` produces are checked:
  // bound to an account (credentials present) and environment-agnostic (none).
  const domain = { name: "app.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", hostedZoneName: "example.com" };
  it.each<[string, Environment | undefined, Partial<ConfigInput>]>([
    ["an account", { account: "123456789012", region: "eu-west-1" }, {}],
    ["no account (environment-agnostic)", undefined, {}],
    // With its own certificate the front door enforces TLSv1.2_2021, so CFR4 needs no acknowledgement.
    ["a custom domain (us-east-1)", { account: "123456789012", region: "us-east-1" }, { domain }],
    ["a custom domain, environment-agnostic", undefined, { domain }],
  ])(
    "reports nothing unacknowledged for %s (every acknowledgement carries its reason next to the resource)",
    (_, env, overrides) => {
      const app = testApp({ outdir: mkdtempSync(join(tmpdir(), "groundcrew-nag-")) });
      new GroundcrewStack(app, "nag", { config: loadConfig("prod", overrides), env });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      let report = "";
      try {
        app.synth();
      } catch (error) {
        report = (error as Error).message;
      }
      expect(report).toBe("");
    },
  );
});
