import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { BlockPublicAccess, Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { BucketDeployment, CacheControl, Source } from "aws-cdk-lib/aws-s3-deployment";
import { Trigger } from "aws-cdk-lib/triggers";
import { Construct } from "constructs";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../../functions/contracts/config/schema.js";
import { staticSiteVariables } from "../../functions/contracts/environment.js";
import { setVariables } from "../environment.js";
import { HASHED_ASSETS_DIR, IMMUTABLE_CACHE, REVALIDATE_CACHE } from "../../functions/contracts/static-site.js";
import { repoRoot } from "../paths.js";
import { GroundcrewFunction } from "./groundcrew-function.js";
import { nagEnv } from "./nag-ids.js";

/** The wildcard findings cdk-nag reports on CDK's BucketDeployment handler role, which we do not write. */
export function bucketDeploymentWildcards(bucket: Bucket): string[] {
  const stack = Stack.of(bucket);
  const { partition, account, region } = nagEnv(bucket);
  return [
    ...["s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*"].map(
      (action) => `Action::${action}`,
    ),
    "Resource::*",
    `Resource::<${stack.getLogicalId(bucket.node.defaultChild as never)}.Arn>/*`,
    `Resource::arn:${partition}:s3:::cdk-hnb659fds-assets-${account}-${region}/*`,
  ];
}

export const defaultStaticDir = join(repoRoot, "infra", "static-site", "public");

export interface StaticSiteProps {
  readonly config: Config;
  /**
   * The folder to publish; files under `assets/` must have hashed names (cached as immutable).
   * @default infra/static-site/public
   */
  readonly sourceDir?: string;
  /**
   * Local stage: the emulator's S3 endpoint, for the `StaticUrl` output (path-style, bucket in the path).
   * @default "http://127.0.0.1:4566"
   */
  readonly localEndpoint?: string;
}

/**
 * Static files without login (nginx/Caddy's `/static/`): a private bucket, published with cache
 * headers suited to hashed assets. In prod the front door (front-door.ts) serves it at `/` through
 * origin access control; an object's key is its path there. The local stage uploads the same files
 * to the emulator's bucket and serves them from there, since the emulator refuses origin access control.
 */
export class StaticSite extends Construct {
  public readonly bucket: Bucket;
  /** Local stage only: the site's index page on the emulator (prod: the front door's URL). */
  public readonly url?: string;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    super(scope, id);
    const { config } = props;
    const sourceDir = props.sourceDir ?? defaultStaticDir;
    if (!existsSync(sourceDir) || !statSync(sourceDir).isDirectory()) {
      throw new Error(`StaticSite: sourceDir ${sourceDir} is not a folder`);
    }
    if (!existsSync(join(sourceDir, "index.html"))) throw new Error(`StaticSite: ${sourceDir} has no index.html`);
    const local = config.stage === "local";

    this.bucket = new Bucket(this, "Bucket", {
      blockPublicAccess: local ? undefined : BlockPublicAccess.BLOCK_ALL,
      enforceSSL: !local,
      encryption: BucketEncryption.S3_MANAGED,
      removalPolicy: local ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });

    Validations.of(this.bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "The bucket holds only the public build output from the repository, written by deployments; there is nothing private to audit at the object level.",
    });

    if (local) {
      const upload = new GroundcrewFunction(this, "Upload", {
        kind: "static-upload",
        config,
        description: "Local stage: uploads the static files bundled with it to the site bucket",
        timeout: Duration.minutes(2),
        bundling: {
          // The files travel inside the bundle, so a changed file is a changed function and re-runs the Trigger.
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (_input: string, output: string) => [`cp -R "${sourceDir}" "${output}/public"`],
          },
        },
      });
      this.bucket.grantPut(upload);
      setVariables(upload, staticSiteVariables, { STATIC_BUCKET: this.bucket.bucketName });
      new Trigger(this, "UploadFiles", { handler: upload, executeAfter: [this.bucket], timeout: Duration.minutes(2) });
      this.url = `${props.localEndpoint ?? "http://127.0.0.1:4566"}/${this.bucket.bucketName}/index.html`;
      new CfnOutput(this, "StaticUrl", { key: "StaticUrl", value: this.url });
      new CfnOutput(this, "StaticBucketName", { key: "StaticBucketName", value: this.bucket.bucketName });
      return;
    }

    const assets = new BucketDeployment(this, "DeployAssets", {
      sources: [Source.asset(join(sourceDir, HASHED_ASSETS_DIR))],
      destinationBucket: this.bucket,
      destinationKeyPrefix: `${HASHED_ASSETS_DIR}/`,
      cacheControl: [CacheControl.fromString(IMMUTABLE_CACHE)],
      // Old hashed files stay: pages cached in browsers may still reference them.
      prune: false,
    });
    const pages = new BucketDeployment(this, "DeployPages", {
      sources: [Source.asset(sourceDir, { exclude: [`${HASHED_ASSETS_DIR}/**`] })],
      destinationBucket: this.bucket,
      cacheControl: [CacheControl.fromString(REVALIDATE_CACHE)],
      // No invalidation: pages are stored with max-age=0, so the front door revalidates them within a second.
      prune: false,
    });
    // Pages go live only once the assets they name are there.
    pages.node.addDependency(assets);
    const deploymentHandler = Stack.of(this).node.tryFindChild(
      "Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C",
    );
    if (deploymentHandler) {
      Validations.of(deploymentHandler).acknowledge(
        {
          id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
          reason: "CDK's BucketDeployment handler only writes its own logs with the basic execution policy.",
        },
        ...bucketDeploymentWildcards(this.bucket).map((finding) => ({
          id: `AwsSolutions-IAM5[${finding}]`,
          reason: "CDK's BucketDeployment handler reads the asset zips and writes this bucket with CDK's own grants.",
        })),
        { id: "AwsSolutions-L1", reason: "BucketDeployment's runtime is chosen by aws-cdk-lib and moves with it." },
      );
    }
  }
}
