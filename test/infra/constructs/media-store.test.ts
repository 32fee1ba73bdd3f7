import { Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/contracts/config/load.js";
import { Database } from "../../../infra/constructs/database.js";
import { MediaStore } from "../../../infra/constructs/media-store.js";
import { synthStage, testApp } from "../synth.js";

const findBy = (
  resources: Record<string, { Properties?: Record<string, unknown> }>,
  pred: (p: Record<string, unknown>) => boolean,
) => Object.values(resources).filter((r) => pred(r.Properties ?? {}));

describe("MediaStore (prod)", () => {
  const { template, stack } = synthStage("prod");
  const bucketId = stack.getLogicalId(stack.media.bucket.node.defaultChild as never);

  it("keeps the bucket private, encrypted and TLS-only, with CORS for browser uploads", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedMethods: Match.arrayWith(["POST", "PUT"]) })] },
    });
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("sends ObjectCreated events under media/ through a queue with a DLQ to the processor, reporting item failures", () => {
    template.hasResourceProperties("Custom::S3BucketNotifications", {
      NotificationConfiguration: {
        QueueConfigurations: [
          Match.objectLike({
            Events: ["s3:ObjectCreated:*"],
            Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "media/" }] } },
          }),
        ],
      },
    });
    template.hasResourceProperties("AWS::SQS::Queue", { RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }) });
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BatchSize: 10,
    });
  });

  it("keeps a key group of the generated public key for the front door's signed /media/* URLs, and no distribution of its own", () => {
    template.resourceCountIs("AWS::CloudFront::KeyGroup", 1);
    template.hasResourceProperties("AWS::CloudFront::PublicKey", {
      PublicKeyConfig: Match.objectLike({
        EncodedKey: { "Fn::GetAtt": [Match.stringLikeRegexp("MediaSigningKeyPair"), "PublicKeyPem"] },
      }),
    });
    const distributions = findBy(template.findResources("AWS::CloudFront::Distribution"), (p) =>
      JSON.stringify(p).includes("TrustedKeyGroups"),
    );
    // The one distribution is the front door's (front-door.test.ts checks its /media/* behaviour).
    expect(distributions).toHaveLength(1);
    expect(JSON.stringify(distributions[0])).toContain('"Comment":"groundcrew-prod front door"');
  });

  it("gives the API (and the report worker) the key's id, the secret's ARN and the domain, never the key itself", () => {
    const api = findBy(template.findResources("AWS::Lambda::Function"), (p) =>
      JSON.stringify(p).includes("MEDIA_SIGNING_KEY_SECRET_ARN"),
    );
    expect(api).toHaveLength(2);
    const variables = JSON.stringify(
      (api[0] as { Properties: { Environment: { Variables: unknown } } }).Properties.Environment.Variables,
    );
    expect(variables).toMatch(/MEDIA_CDN_KEY_PAIR_ID/);
    expect(variables).toMatch(/MEDIA_CDN_DOMAIN/);
    expect(variables).not.toMatch(/PRIVATE KEY/);
  });
});

describe("MediaStore (local)", () => {
  const { template } = synthStage("local");

  it("leaves out what the emulator refuses and signs downloads with S3 instead", () => {
    for (const type of [
      "AWS::CloudFront::Distribution",
      "AWS::CloudFront::KeyGroup",
      "AWS::CloudFront::PublicKey",
      "AWS::CloudFront::OriginAccessControl",
    ]) {
      template.resourceCountIs(type, 0);
    }
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ MEDIA_BUCKET: Match.anyValue() }) },
    });
    template.hasResourceProperties("Custom::S3BucketNotifications", Match.anyValue());
  });
});

describe("MediaStore props", () => {
  const newStore = (props: Record<string, unknown>) => {
    const stack = new Stack(testApp(), "T", { env: { account: "123456789012", region: "eu-west-1" } });
    const config = loadConfig("local");
    const database = new Database(stack, "Db", { config, localDataApiUrl: "http://127.0.0.1:4567" });
    return () => new MediaStore(stack, "Media", { config, database, ...props });
  };

  it("refuses to synth a prod function bound for signed downloads when no front door serves /media/*", () => {
    const stack = new Stack(testApp(), "P", { env: { account: "123456789012", region: "eu-west-1" } });
    const config = loadConfig("prod");
    const database = new Database(stack, "Db", { config });
    const media = new MediaStore(stack, "Media", { config, database });
    media.bind(media.processor);
    expect(() => Template.fromStack(stack)).toThrow(/no front door serves \/media\/\*/);
    media.serveDownloadsFrom("d111111abcdef8.cloudfront.net");
    expect(() => media.serveDownloadsFrom("other.example.com")).toThrow(/already set/);
  });

  it("refuses a batch size SQS cannot deliver, a bad key generation and an empty CORS list", () => {
    expect(newStore({ processorBatchSize: 11 })).toThrow(/processorBatchSize must be an integer from 1 to 10/);
    expect(newStore({ signingKeyGeneration: 0 })).toThrow(/signingKeyGeneration/);
    expect(newStore({ corsAllowedOrigins: [] })).toThrow(/corsAllowedOrigins/);
  });
});
