import { CfnOutput, CustomResource, Duration, Lazy, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { KeyGroup, PublicKey } from "aws-cdk-lib/aws-cloudfront";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { BlockPublicAccess, Bucket, BucketEncryption, EventType, HttpMethods } from "aws-cdk-lib/aws-s3";
import { SqsDestination } from "aws-cdk-lib/aws-s3-notifications";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Provider } from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";
import type { Config } from "../../functions/contracts/config/schema.js";
import { mediaCdnVariables, mediaVariables } from "../../functions/contracts/environment.js";
import { MEDIA_PREFIX } from "../../functions/contracts/media.js";
import { setVariables } from "../environment.js";
import type { Database } from "./database.js";
import { GroundcrewFunction } from "./groundcrew-function.js";

export interface MediaStoreProps {
  readonly config: Config;
  /** The processor records what arrived in `media_objects`. */
  readonly database: Database;
  /**
   * Origins whose pages may upload straight to the bucket from a browser.
   * @default ["*"] (uploads need a presigned request anyway)
   */
  readonly corsAllowedOrigins?: string[];
  /**
   * Prod: bump to rotate the CloudFront signing key pair on the next deploy.
   * @default 1
   */
  readonly signingKeyGeneration?: number;
  /** @default 10 (one SQS batch, each message checked on its own) */
  readonly processorBatchSize?: number;
}

const processorTimeout = Duration.seconds(30);

/**
 * User media (Django's MEDIA_ROOT, behind authentication): a private, encrypted, TLS-only bucket;
 * ObjectCreated events through a queue to a processor that marks uploads stored or rejects them;
 * in prod a CloudFront key group whose private key is generated at deploy time into Secrets
 * Manager. The front door (front-door.ts) serves `/media/*` from this bucket only with URLs signed
 * by that key group: an object's key (`media/<uuid>/<name>`) is its path there, unchanged.
 */
export class MediaStore extends Construct {
  public readonly bucket: Bucket;
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly processor: GroundcrewFunction;
  public readonly keyGroup?: KeyGroup;
  public readonly publicKey?: PublicKey;
  public readonly signingKeySecret?: Secret;
  /** The host name signed download URLs name; set once by the front door that serves `/media/*`. */
  private downloadDomain?: string;

  constructor(scope: Construct, id: string, props: MediaStoreProps) {
    super(scope, id);
    const { config } = props;
    const local = config.stage === "local";
    const batchSize = props.processorBatchSize ?? 10;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
      throw new Error(`MediaStore: processorBatchSize must be an integer from 1 to 10, got ${batchSize}`);
    }
    const generation = props.signingKeyGeneration ?? 1;
    if (!Number.isInteger(generation) || generation < 1) {
      throw new Error(`MediaStore: signingKeyGeneration must be a positive integer, got ${generation}`);
    }
    const origins = props.corsAllowedOrigins ?? ["*"];
    if (origins.length === 0)
      throw new Error("MediaStore: corsAllowedOrigins must name at least one origin (or leave it unset)");

    this.bucket = new Bucket(this, "Bucket", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // SSE-S3 keeps single-part ETags equal to the MD5 of the bytes: that is the recorded checksum.
      encryption: BucketEncryption.S3_MANAGED,
      cors: [
        {
          allowedMethods: [HttpMethods.POST, HttpMethods.PUT, HttpMethods.GET, HttpMethods.HEAD],
          allowedOrigins: origins,
          allowedHeaders: ["*"],
          exposedHeaders: ["ETag"],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: local ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "Every object is written through a presigned request the API issued and recorded in media_objects, and read through a signed URL; CloudTrail data events are the place for object-level audit if required.",
    });

    this.deadLetterQueue = new Queue(this, "ProcessorDlq", {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new Queue(this, "Events", {
      visibilityTimeout: Duration.seconds(processorTimeout.toSeconds() * 6),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    this.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(this.queue), {
      prefix: MEDIA_PREFIX,
    });
    // addEventNotification's handler is a stack-wide singleton CDK creates with the basic execution policy.
    const notificationsHandler = Stack.of(this).node.tryFindChild(
      "BucketNotificationsHandler050a0587b7544547bf325f094a3db834",
    );
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason:
          "CDK's bucket-notifications handler only writes its own logs with the basic execution policy; its bucket permission is scoped by CDK.",
      });
    }

    this.processor = new GroundcrewFunction(this, "Processor", {
      kind: "media-processor",
      config,
      description:
        "Moves checked uploads from their staging key into place (size, checksum) or deletes those that break the limits",
      timeout: processorTimeout,
    });
    props.database.bind(this.processor);
    // PutObject for the CopyObject from an upload's staging key (media/incoming/<id>) to its final key;
    // no presigned request names a final key, so a replayed upload form cannot change a stored file.
    this.grantObjects(this.processor, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);
    this.processor.addEventSource(
      new SqsEventSource(this.queue, { batchSize, reportBatchItemFailures: true, maxConcurrency: 2 }),
    );

    new CfnOutput(this, "MediaBucketName", { key: "MediaBucketName", value: this.bucket.bucketName });
    new CfnOutput(this, "MediaDlqUrl", { key: "MediaDlqUrl", value: this.deadLetterQueue.queueUrl });
    if (local) return;

    // The emulator refuses PublicKey/KeyGroup/OAC, so all of this is prod only (localstack/README.md).
    this.signingKeySecret = new Secret(this, "SigningKey", {
      description: "CloudFront signing key pair for media URLs (private key read at runtime by the API)",
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.signingKeySecret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "The key pair is rotated by deploying with a new signingKeyGeneration, which must update the CloudFront public key in the same change; a Secrets Manager rotation Lambda could not do that.",
    });
    const keygen = new GroundcrewFunction(this, "Keygen", {
      kind: "media-keygen",
      config,
      description: "Generates the CloudFront media signing key pair into Secrets Manager",
      timeout: Duration.minutes(1),
    });
    this.signingKeySecret.grantRead(keygen);
    this.signingKeySecret.grantWrite(keygen);
    const provider = new Provider(this, "KeygenProvider", { onEventHandler: keygen });
    Validations.of(provider).acknowledge(
      {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason: "CDK's custom-resource framework function only writes its own logs with the basic execution policy.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(keygen.node.defaultChild as never)}.Arn>:*]`,
        reason: "The framework invokes any version of the one key generator function it fronts.",
      },
      {
        id: "AwsSolutions-L1",
        reason: "The custom-resource framework's runtime is chosen by aws-cdk-lib and moves with it.",
      },
    );
    const keyPair = new CustomResource(this, "SigningKeyPair", {
      serviceToken: provider.serviceToken,
      properties: { SecretArn: this.signingKeySecret.secretArn, Generation: String(generation) },
    });
    this.publicKey = new PublicKey(this, "SigningPublicKey", {
      encodedKey: keyPair.getAttString("PublicKeyPem"),
      comment: `${config.app} media URLs, generation ${generation}`,
    });
    this.keyGroup = new KeyGroup(this, "KeyGroup", { items: [this.publicKey] });
  }

  /**
   * Prod: signed download URLs name this host (the front door's domain, custom or *.cloudfront.net),
   * where `/media/*` is served from this bucket. Called once, by the front door.
   */
  serveDownloadsFrom(domain: string): void {
    if (this.downloadDomain !== undefined) throw new Error("MediaStore: the download domain is already set");
    this.downloadDomain = domain;
  }

  /** Lets a function create uploads, sign downloads and delete media: grants and variables together. */
  bind(fn: LambdaFunction): void {
    // Presigned requests carry the signer's own permissions: PUT/POST uploads, local GETs, deletes.
    this.grantObjects(fn, ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]);
    if (this.publicKey && this.signingKeySecret) {
      this.signingKeySecret.grantRead(fn);
      setVariables(fn, mediaCdnVariables, {
        // Resolved at synth: functions are bound before the front door exists, which then names its domain.
        MEDIA_CDN_DOMAIN: Lazy.string({ produce: () => this.requireDownloadDomain() }),
        MEDIA_CDN_KEY_PAIR_ID: this.publicKey.publicKeyId,
        MEDIA_SIGNING_KEY_SECRET_ARN: this.signingKeySecret.secretArn,
      });
    }
  }

  private requireDownloadDomain(): string {
    if (this.downloadDomain === undefined) {
      throw new Error("MediaStore: no front door serves /media/* (call serveDownloadsFrom with its domain)");
    }
    return this.downloadDomain;
  }

  /** For the maintenance sweep of stale pending uploads: delete objects, nothing more. */
  grantCleanup(fn: LambdaFunction): void {
    this.grantObjects(fn, ["s3:DeleteObject"]);
  }

  /** Exactly these actions, on media objects only; the key under media/ is chosen per upload at runtime. */
  private grantObjects(fn: LambdaFunction, actions: string[]): void {
    fn.addToRolePolicy(new PolicyStatement({ actions, resources: [this.bucket.arnForObjects(`${MEDIA_PREFIX}*`)] }));
    setVariables(fn, mediaVariables, { MEDIA_BUCKET: this.bucket.bucketName });
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as never)}.Arn>/${MEDIA_PREFIX}*]`,
      reason:
        "Object keys are media/<uuid>/<name>, created per upload at runtime; the grant is limited to that prefix and to the listed actions.",
    });
  }
}
