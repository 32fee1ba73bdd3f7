import { Stack, type Environment } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../functions/contracts/config/load.js";
import {
  consoleIndexCode,
  FRONT_DOOR_PATHS,
  FrontDoor,
  stripApiPrefixCode,
} from "../../../infra/constructs/front-door.js";
import { GroundcrewStack } from "../../../infra/stacks/groundcrew-stack.js";
import { synthStage, testApp } from "../synth.js";

type Behavior = Record<string, any>;
type DistributionConfig = {
  DefaultCacheBehavior: Behavior;
  CacheBehaviors: Behavior[];
  Origins: Record<string, any>[];
  Aliases?: string[];
  ViewerCertificate?: Record<string, any>;
};

/** AWS's managed policy ids, as CloudFormation carries them. */
const MANAGED = {
  cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
  cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
  allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
};

const domain = { name: "app.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", hostedZoneName: "example.com" };

function distributionConfig(template: Template): DistributionConfig {
  const all = Object.values(template.findResources("AWS::CloudFront::Distribution"));
  expect(all).toHaveLength(1);
  return (all[0] as { Properties: { DistributionConfig: DistributionConfig } }).Properties.DistributionConfig;
}

function behavior(config: DistributionConfig, pattern: string): Behavior {
  const found = config.CacheBehaviors.find((b) => b.PathPattern === pattern);
  if (!found) throw new Error(`no behaviour for ${pattern}`);
  return found;
}

function origin(config: DistributionConfig, b: Behavior): Record<string, any> {
  return config.Origins.find((o) => o.Id === b.TargetOriginId)!;
}

function prodStack(env: Environment | undefined, overrides: Record<string, unknown> = {}, consoleAssetDir?: string) {
  return new GroundcrewStack(testApp(), "door", { config: loadConfig("prod", overrides), env, consoleAssetDir });
}

/** Runs a CloudFront Function's source on a viewer request, as the edge would. */
function runViewerFunction(code: string, uri: string): string {
  // A fresh context of its own, as the edge gives each function: nothing of the test's scope is visible.
  const handler = runInNewContext(`${code}\nhandler;`) as (event: unknown) => { uri: string };
  return handler({ request: { uri, method: "GET", headers: {}, querystring: {} } }).uri;
}

describe("FrontDoor (prod, no custom domain)", () => {
  const { template, stack } = synthStage("prod");
  const config = distributionConfig(template);
  const bucketId = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);

  it("is the stack's only distribution, redirecting HTTP to HTTPS on every behaviour", () => {
    template.resourceCountIs("AWS::CloudFront::Distribution", 1);
    for (const b of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(b.ViewerProtocolPolicy).toBe("redirect-to-https");
    }
    expect(config.CacheBehaviors.map((b) => b.PathPattern).sort()).toEqual(
      Object.values(FRONT_DOOR_PATHS).slice().sort(),
    );
  });

  it("serves / and /static/* from the static bucket through origin access control, cached as stored", () => {
    for (const b of [config.DefaultCacheBehavior, behavior(config, "/static/*")]) {
      const o = origin(config, b);
      expect(o.DomainName).toEqual({ "Fn::GetAtt": [bucketId(stack.staticSite.bucket), "RegionalDomainName"] });
      expect(o.OriginAccessControlId).toBeDefined();
      expect(b.CachePolicyId).toBe(MANAGED.cachingOptimized);
      expect(b.TrustedKeyGroups).toBeUndefined();
    }
    expect((config as Record<string, unknown>).DefaultRootObject).toBe("index.html");
  });

  it("adds the pages' security headers (HSTS, nosniff, frame DENY, CSP, referrer policy) to static files and the console", () => {
    template.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: "DENY", Override: true },
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp("default-src 'self'"),
          }),
          ReferrerPolicy: Match.objectLike({ ReferrerPolicy: "strict-origin-when-cross-origin" }),
        }),
      }),
    });
    const headers = config.DefaultCacheBehavior.ResponseHeadersPolicyId;
    expect(headers).toEqual({ Ref: expect.stringMatching(/SecurityHeaders/) });
    expect(behavior(config, "/static/*").ResponseHeadersPolicyId).toEqual(headers);
    expect(behavior(config, "/console/*").ResponseHeadersPolicyId).toEqual(headers);
  });

  it("serves /console/* from the same bucket, pages answered by index.html, with a cache policy that lets no-cache through", () => {
    const b = behavior(config, "/console/*");
    expect(origin(config, b).DomainName).toEqual({
      "Fn::GetAtt": [bucketId(stack.staticSite.bucket), "RegionalDomainName"],
    });
    expect(b.FunctionAssociations).toEqual([
      {
        EventType: "viewer-request",
        FunctionARN: { "Fn::GetAtt": [expect.stringMatching(/ConsoleIndex/), "FunctionARN"] },
      },
    ]);
    template.hasResourceProperties("AWS::CloudFront::CachePolicy", {
      CachePolicyConfig: Match.objectLike({ MinTTL: 0, DefaultTTL: 0 }),
    });
    expect(b.CachePolicyId).toEqual({ Ref: expect.stringMatching(/ConsoleCache/) });
  });

  it("serves /media/* from the media bucket only with URLs signed by the media key group, GET and HEAD only", () => {
    const b = behavior(config, "/media/*");
    expect(origin(config, b).DomainName).toEqual({
      "Fn::GetAtt": [bucketId(stack.media.bucket), "RegionalDomainName"],
    });
    expect(origin(config, b).OriginAccessControlId).toBeDefined();
    expect(b.TrustedKeyGroups).toEqual([{ Ref: stack.getLogicalId(stack.media.keyGroup!.node.defaultChild as never) }]);
    expect(b.AllowedMethods).toEqual(["GET", "HEAD"]);
    expect(b.FunctionAssociations).toBeUndefined();
  });

  it("sends /api/* to the REST API's stage uncached, every method, all viewer headers but Host, /api stripped", () => {
    const b = behavior(config, "/api/*");
    const o = origin(config, b);
    expect(JSON.stringify(o.DomainName)).toContain(".execute-api.");
    expect(o.OriginPath).toBe("/api");
    expect(o.CustomOriginConfig.OriginProtocolPolicy).toBe("https-only");
    expect(b.CachePolicyId).toBe(MANAGED.cachingDisabled);
    expect(b.OriginRequestPolicyId).toBe(MANAGED.allViewerExceptHostHeader);
    expect(b.AllowedMethods).toEqual(expect.arrayContaining(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]));
    expect(b.FunctionAssociations).toHaveLength(1);
    template.hasResourceProperties("AWS::CloudFront::Function", {
      FunctionCode: stripApiPrefixCode,
      FunctionConfig: Match.objectLike({ Runtime: "cloudfront-js-2.0" }),
    });
  });

  it("signs media URLs for the front door's own domain (path /media/<key>), and has no certificate", () => {
    const api = Object.values(template.findResources("AWS::Lambda::Function")).find((f) =>
      JSON.stringify(f).includes("MEDIA_CDN_DOMAIN"),
    ) as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    const distributionId = stack.getLogicalId(stack.frontDoor!.distribution.node.defaultChild as never);
    expect(api.Properties.Environment.Variables.MEDIA_CDN_DOMAIN).toEqual({
      "Fn::GetAtt": [distributionId, "DomainName"],
    });
    template.resourceCountIs("AWS::CertificateManager::Certificate", 0);
    template.resourceCountIs("AWS::Route53::RecordSet", 0);
    expect(config.Aliases).toBeUndefined();
    template.hasOutput("FrontDoorUrl", Match.anyValue());
  });
});

describe("FrontDoor with a custom domain", () => {
  const stack = prodStack({ account: "123456789012", region: "us-east-1" }, { domain });
  const template = Template.fromStack(stack);
  const config = distributionConfig(template);

  it("answers on the name with a DNS-validated certificate in the configured zone, TLS 1.2_2021 at least", () => {
    expect(config.Aliases).toEqual(["app.example.com"]);
    template.hasResourceProperties("AWS::CertificateManager::Certificate", {
      DomainName: "app.example.com",
      ValidationMethod: "DNS",
      DomainValidationOptions: [{ DomainName: "app.example.com", HostedZoneId: domain.hostedZoneId }],
    });
    expect(config.ViewerCertificate).toMatchObject({
      MinimumProtocolVersion: "TLSv1.2_2021",
      SslSupportMethod: "sni-only",
    });
    for (const b of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(b.ViewerProtocolPolicy).toBe("redirect-to-https");
    }
  });

  it("adds alias A and AAAA records to the distribution, and signs media URLs for the custom name", () => {
    for (const type of ["A", "AAAA"]) {
      template.hasResourceProperties("AWS::Route53::RecordSet", {
        Name: "app.example.com.",
        Type: type,
        HostedZoneId: domain.hostedZoneId,
        AliasTarget: Match.objectLike({ HostedZoneId: Match.anyValue() }),
      });
    }
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ MEDIA_CDN_DOMAIN: "app.example.com" }) },
    });
    template.hasOutput("FrontDoorUrl", { Value: "https://app.example.com/" });
  });

  it("refuses a stack bound to a region CloudFront takes no certificate from", () => {
    expect(() => prodStack({ account: "123456789012", region: "eu-west-1" }, { domain })).toThrow(/us-east-1/);
  });

  it("carries a rule refusing other regions when the template is environment-agnostic", () => {
    const agnostic = Template.fromStack(prodStack(undefined, { domain }));
    const rules = (agnostic.toJSON() as { Rules?: Record<string, any> }).Rules ?? {};
    expect(JSON.stringify(Object.values(rules))).toContain('{"Fn::Equals":[{"Ref":"AWS::Region"},"us-east-1"]}');
  });
});

describe("FrontDoor configuration and props", () => {
  it("refuses a domain outside its zone and a malformed zone id", () => {
    expect(() => loadConfig("prod", { domain: { ...domain, name: "app.example.org" } })).toThrow(ConfigError);
    expect(() => loadConfig("prod", { domain: { ...domain, name: "app.example.org" } })).toThrow(
      /domain\.name: must be the zone's name or a name inside the zone/,
    );
    expect(() => loadConfig("prod", { domain: { ...domain, hostedZoneId: "nope" } })).toThrow(/domain\.hostedZoneId/);
    expect(loadConfig("prod", { domain: { ...domain, name: "example.com" } }).domain?.name).toBe("example.com");
  });

  it("publishes a console folder under console/ with no-cache, and refuses one without index.html", () => {
    const dir = mkdtempSync(join(tmpdir(), "console-"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>console</title>");
    const template = Template.fromStack(prodStack({ account: "123456789012", region: "eu-west-1" }, {}, dir));
    template.hasResourceProperties("Custom::CDKBucketDeployment", {
      DestinationBucketKeyPrefix: "console/",
      SystemMetadata: { "cache-control": "no-cache" },
    });
    const empty = mkdtempSync(join(tmpdir(), "console-empty-"));
    mkdirSync(join(empty, "assets"));
    expect(() => prodStack(undefined, {}, empty)).toThrow(/consoleAssetDir .* index\.html/);
  });

  it("is prod only: the local stage gets localstack/front-door.ts", () => {
    const local = synthStage("local").stack;
    expect(local.frontDoor).toBeUndefined();
    expect(
      () =>
        new FrontDoor(new Stack(testApp(), "L"), "F", {
          config: loadConfig("local"),
          staticSite: local.staticSite,
          media: local.media,
          restApi: local.api.restApi,
          apiStageName: "api",
        }),
    ).toThrow(/local stage/);
  });
});

describe("FrontDoor's viewer-request functions", () => {
  it("strip /api from API paths only at the start, keeping the query untouched", () => {
    expect(runViewerFunction(stripApiPrefixCode, "/api/tasks")).toBe("/tasks");
    expect(runViewerFunction(stripApiPrefixCode, "/api/tasks/abc/cancel")).toBe("/tasks/abc/cancel");
    expect(runViewerFunction(stripApiPrefixCode, "/api/")).toBe("/");
    expect(runViewerFunction(stripApiPrefixCode, "/api")).toBe("/");
    expect(runViewerFunction(stripApiPrefixCode, "/apiary/x")).toBe("/apiary/x");
  });

  it("answer console pages with index.html and leave its files alone", () => {
    expect(runViewerFunction(consoleIndexCode, "/console/")).toBe("/console/index.html");
    expect(runViewerFunction(consoleIndexCode, "/console/tasks/123")).toBe("/console/index.html");
    expect(runViewerFunction(consoleIndexCode, "/console/app.js")).toBe("/console/app.js");
    expect(runViewerFunction(consoleIndexCode, "/console/assets/app.1a2b.css")).toBe("/console/assets/app.1a2b.css");
  });
});
