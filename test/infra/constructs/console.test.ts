import { Match, Template } from "aws-cdk-lib/assertions";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/contracts/config/load.js";
import { consoleConfig } from "../../../infra/constructs/front-door.js";
import { GroundcrewStack } from "../../../infra/stacks/groundcrew-stack.js";
import { testApp } from "../synth.js";

const domain = { name: "app.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", hostedZoneName: "example.com" };

function consoleFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "console-"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>console</title>");
  return dir;
}

function prodTemplate(overrides: Record<string, unknown> = {}, withConsole = true) {
  const stack = new GroundcrewStack(testApp(), "console", {
    config: loadConfig("prod", overrides),
    env: overrides.domain ? { account: "123456789012", region: "us-east-1" } : undefined,
    consoleAssetDir: withConsole ? consoleFolder() : undefined,
  });
  return Template.fromStack(stack);
}

/** The `config.json` the console's BucketDeployment writes: its jsonData source, markers resolved as CloudFormation will. */
function deployedConfig(template: Template): string {
  const deployments = template.findResources("Custom::CDKBucketDeployment", {
    Properties: { DestinationBucketKeyPrefix: "console/" },
  });
  const [deployment] = Object.values(deployments) as { Properties: { SourceMarkers?: unknown[] } }[];
  return JSON.stringify(deployment?.Properties.SourceMarkers ?? []);
}

describe("the prod console's sign-in", () => {
  it("opens Cognito's hosted UI to the console: code flow only, called back at the front door's /console/", () => {
    const template = prodTemplate();
    const callback = {
      "Fn::Join": [
        "",
        ["https://", { "Fn::GetAtt": [Match.stringLikeRegexp("^FrontDoorDistribution"), "DomainName"] }, "/console/"],
      ],
    };
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      AllowedOAuthFlows: ["code"],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ["openid", "email", "profile"],
      CallbackURLs: [callback],
      LogoutURLs: [callback],
      SupportedIdentityProviders: ["COGNITO"],
    });
    template.hasResourceProperties("AWS::Cognito::UserPoolDomain", {
      Domain: { "Fn::Join": ["-", ["groundcrew-prod", { Ref: "AWS::AccountId" }]] },
    });
  });

  it("writes config.json at deploy with the hosted UI's PKCE settings (tokens CloudFormation fills in)", () => {
    const markers = deployedConfig(prodTemplate());
    expect(markers).toContain("/oauth2/authorize");
    expect(markers).toContain("/oauth2/token");
    expect(markers).toContain("/logout");
    expect(markers).toContain('"Ref":"AuthUserPoolApiClient');
    expect(markers).toContain(".auth.");
    expect(markers).toContain("amazoncognito.com");
  });

  it("uses the custom domain as the callback when there is one", () => {
    prodTemplate({ domain }).hasResourceProperties("AWS::Cognito::UserPoolClient", {
      CallbackURLs: ["https://app.example.com/console/"],
    });
  });

  it("offers no OAuth at all without a console (no implicit flow, no placeholder callback)", () => {
    const template = prodTemplate({}, false);
    template.resourceCountIs("AWS::Cognito::UserPoolDomain", 0);
    const clients = Object.values(template.findResources("AWS::Cognito::UserPoolClient")) as {
      Properties: Record<string, unknown>;
    }[];
    expect(clients).toHaveLength(1);
    expect(clients[0]!.Properties.AllowedOAuthFlows).toBeUndefined();
    expect(clients[0]!.Properties.CallbackURLs).toBeUndefined();
  });

  it("asks for a pasted token when tokens come from a configured provider", () => {
    expect(consoleConfig(undefined)).toEqual({ apiBaseUrl: "/api", signIn: { kind: "token" } });
  });
});
