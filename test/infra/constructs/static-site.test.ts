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
  const { template, stack } = synthStage("prod");

  it("keeps the bucket private: only the front door's distribution reads it, through origin access control", () => {
    const bucketId = stack.getLogicalId(stack.staticSite.bucket.node.defaultChild as never);
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
    });
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: "s3:GetObject",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Condition: { StringEquals: { "AWS:SourceArn": Match.anyValue() } },
          }),
        ]),
      },
    });
    expect(stack.staticSite.url).toBeUndefined();
  });

  it("deploys hashed assets as immutable for a year and pages as revalidated, with no invalidation to wait for", () => {
    template.hasResourceProperties("Custom::CDKBucketDeployment", {
      DestinationBucketKeyPrefix: "assets/",
      SystemMetadata: { "cache-control": IMMUTABLE_CACHE },
    });
    template.hasResourceProperties("Custom::CDKBucketDeployment", {
      SystemMetadata: { "cache-control": REVALIDATE_CACHE },
      DistributionPaths: Match.absent(),
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
