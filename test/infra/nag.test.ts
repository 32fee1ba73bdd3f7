import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../functions/core/config/load.js";
import { GroundcrewStack } from "../../infra/stacks/groundcrew-stack.js";

describe("cdk-nag AwsSolutions on the prod stage", () => {
  it("reports nothing unacknowledged (every acknowledgement carries its reason next to the resource)", () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "groundcrew-nag-")) });
    new GroundcrewStack(app, "nag", { config: loadConfig("prod"), env: { account: "123456789012", region: "eu-west-1" } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    let report = "";
    try {
      app.synth();
    } catch (error) {
      report = (error as Error).message;
    }
    expect(report).toBe("");
  });
});
