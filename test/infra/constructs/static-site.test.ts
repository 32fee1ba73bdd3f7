import { Stack } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/contracts/config/load.js";
import { IMMUTABLE_CACHE, REVALIDATE_CACHE } from "../../../functions/contracts/static-site.js";
import { StaticSite } from "../../../infra/constructs/static-site.js";
import { synthStage, testApp } from "../synth.js";

describe("StaticSite (prod)", () => {
  const { template } = synthStage("prod");
  const site = () => {
    const all = template.findResources("AWS::CloudFront::Distribution");
    return Object.values(all).find((d) => JSON.stringify(d).includes("index.html")) as {
      Properties: { DistributionConfig: Record<string, any> };
    };
  };

  it("serves a private bucket through CloudFront with origin access control, HTTPS only, index.html at the root", () => {
    const config = site().Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe("index.html");
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe("https-only");
    expect(config.Origins[0].OriginAccessControlId).toBeDefined();
    expect(config.Origins[0].S3OriginConfig).toEqual({ OriginAccessIdentity: "" });
    template.hasResourceProperties("AWS::CloudFront::OriginAccessControl", {
      OriginAccessControlConfig: Match.objectLike({ SigningBehavior: "always", OriginAccessControlOriginType: "s3" }),
    });
  });

  it("adds security headers (HSTS, nosniff, frame DENY, CSP, referrer policy)", () => {
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
  });

  it("deploys hashed assets as immutable for a year and pages as revalidated, invalidating the pages", () => {
    template.hasResourceProperties("Custom::CDKBucketDeployment", {
      DestinationBucketKeyPrefix: "assets/",
      SystemMetadata: { "cache-control": IMMUTABLE_CACHE },
    });
    template.hasResourceProperties("Custom::CDKBucketDeployment", {
      SystemMetadata: { "cache-control": REVALIDATE_CACHE },
      DistributionPaths: ["/*"],
    });
  });
});

describe("StaticSite (local)", () => {
  const { template } = synthStage("local");

  it("uploads the same files with a Trigger instead of BucketDeployment and names the emulator URL", () => {
    template.resourceCountIs("Custom::CDKBucketDeployment", 0);
    template.resourceCountIs("AWS::CloudFront::Distribution", 0);
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ STATIC_BUCKET: Match.anyValue() }) },
    });
    const outputs = template.findOutputs("StaticUrl");
    expect(JSON.stringify(outputs)).toMatch(/index\.html/);
  });
});

describe("StaticSite props", () => {
  it("refuses a folder that does not exist or has no index.html", () => {
    const stack = new Stack(testApp(), "T");
    const config = loadConfig("prod");
    expect(() => new StaticSite(stack, "A", { config, sourceDir: join(tmpdir(), "no-such-folder-xyz") })).toThrow(
      /is not a folder/,
    );
    expect(() => new StaticSite(stack, "B", { config, sourceDir: mkdtempSync(join(tmpdir(), "empty-")) })).toThrow(
      /has no index\.html/,
    );
  });
});
