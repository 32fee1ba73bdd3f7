import { Annotations, Aws, CfnOutput, CfnRule, Duration, Fn, Stack, Token, Validations } from "aws-cdk-lib";
import type { IRestApi } from "aws-cdk-lib/aws-apigateway";
import { Certificate, CertificateValidation } from "aws-cdk-lib/aws-certificatemanager";
import {
  AllowedMethods,
  CachePolicy,
  CachedMethods,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  type BehaviorOptions,
  type IOrigin,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { HttpOrigin, S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { AaaaRecord, ARecord, HostedZone, RecordTarget } from "aws-cdk-lib/aws-route53";
import { CloudFrontTarget } from "aws-cdk-lib/aws-route53-targets";
import { BucketDeployment, CacheControl, Source } from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Config, DomainConfig } from "../../functions/contracts/config/schema.js";
import type { ConsoleConfig } from "../../console/src/config.js";
import type { Auth, HostedSignIn } from "./auth.js";
import type { MediaStore } from "./media-store.js";
import type { StaticSite } from "./static-site.js";

/** Where each part of the app lives under the one origin (Caddy's `handle_path` blocks). */
export const FRONT_DOOR_PATHS = {
  static: "/static/*",
  console: "/console/*",
  media: "/media/*",
  api: "/api/*",
} as const;
/** The console's files sit under this key prefix of the static bucket, so `/console/x` is key `console/x`. */
export const CONSOLE_PREFIX = "console/";
/** CloudFront accepts certificates only from ACM in this region. */
export const CERTIFICATE_REGION = "us-east-1";

/**
 * CloudFront Function (viewer request) for `/api/*`: drops the `/api` prefix, so `/api/tasks`
 * reaches the origin as `/{stage}/tasks` (the origin path is the API's stage).
 */
export const stripApiPrefixCode = `function handler(event) {
  var request = event.request;
  request.uri = request.uri.replace(/^\\/api(?=\\/|$)/, "") || "/";
  return request;
}`;

/**
 * CloudFront Function (viewer request) for `/console/*`: a path without a file extension is a
 * page of the single-page console, answered by its index.html (S3 through origin access control
 * would say 403 for a key that does not exist). Distribution-wide error pages would also rewrite
 * the API's 403s and 404s, hence a function on this behaviour only.
 */
export const consoleIndexCode = `function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf("/") + 1);
  if (last.indexOf(".") === -1) request.uri = "/console/index.html";
  return request;
}`;

export interface FrontDoorProps {
  readonly config: Config;
  /** `/` and `/static/*` (and any path not below): the static site's bucket, key = path. */
  readonly staticSite: StaticSite;
  /** `/media/*`: the media bucket, only with URLs signed by its key group (prod). */
  readonly media: MediaStore;
  /** `/api/*`: this REST API, with `/api` removed from the path. */
  readonly restApi: IRestApi;
  /** The REST API's stage name, the origin path (a plain string: the stage's own Ref would make a cycle). */
  readonly apiStageName: string;
  /**
   * A built console (a folder with index.html) to publish under `/console/`. Unset: the `/console/*`
   * behaviour exists but nothing is uploaded (an info annotation says so at synth).
   */
  readonly consoleAssetDir?: string;
  /**
   * Where the console signs in: with Cognito's hosted UI when this has a user pool (prod without a
   * configured provider), its callback being `https://<this front door>/console/`. The deploy writes
   * `console/config.json` from it (CDK tokens resolved by the BucketDeployment); otherwise the
   * console asks for a pasted token.
   */
  readonly auth?: Pick<Auth, "hostedSignIn">;
}

/** The path the console is served at; also the hosted UI's callback. */
export const CONSOLE_PATH = "/console/";

/** The console's `config.json` for this deployment (console/src/config.ts reads it). */
export function consoleConfig(signIn: HostedSignIn | undefined): ConsoleConfig {
  return { apiBaseUrl: "/api", signIn: signIn ?? { kind: "token" } };
}

/**
 * One CloudFront distribution in front of everything, so the browser talks to one origin and
 * needs no CORS (what Caddy was): static files and the console public, media behind signed URLs,
 * the API uncached with every method and the caller's headers. With `config.domain` it answers on
 * that name with its own certificate (TLS 1.2 at least) and alias records; without it, on its
 * *.cloudfront.net name. HTTP is redirected to HTTPS either way.
 *
 * The certificate is created in the stack itself, so a stack with a domain must be deployed to
 * us-east-1 (CloudFront's certificate region): a synth bound to another region fails, and an
 * environment-agnostic template carries a CloudFormation rule that refuses any other region.
 * This keeps `cdk synth` free of credentials and of cross-region stacks.
 */
export class FrontDoor extends Construct {
  public readonly distribution: Distribution;
  public readonly certificate?: Certificate;
  /** The host name browsers use: the custom domain, or the distribution's own. */
  public readonly domainName: string;
  public readonly url: string;

  constructor(scope: Construct, id: string, props: FrontDoorProps) {
    super(scope, id);
    const { config, staticSite, media } = props;
    if (config.stage === "local") {
      throw new Error("FrontDoor: the local stage has localstack/front-door.ts instead (the emulator refuses OAC)");
    }
    if (!media.keyGroup) throw new Error("FrontDoor: the media store has no key group to sign /media/* URLs with");
    if (!/^[A-Za-z0-9_-]+$/.test(props.apiStageName)) {
      throw new Error(`FrontDoor: apiStageName must be a plain stage name, got "${props.apiStageName}"`);
    }
    const consoleDir = props.consoleAssetDir;
    if (consoleDir !== undefined && !isFolderWithIndex(consoleDir)) {
      throw new Error(`FrontDoor: consoleAssetDir ${consoleDir} is not a folder with an index.html`);
    }
    const domain = config.domain;
    if (domain) this.certificate = this.domainCertificate(domain);

    const pageHeaders = this.pageSecurityHeaders(config);
    const siteOrigin = S3BucketOrigin.withOriginAccessControl(staticSite.bucket);
    const viewerProtocolPolicy = ViewerProtocolPolicy.REDIRECT_TO_HTTPS;
    const site: BehaviorOptions = {
      origin: siteOrigin,
      viewerProtocolPolicy,
      // Honours the Cache-Control each object is stored with (immutable assets, revalidated pages).
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: pageHeaders,
      compress: true,
    };

    this.distribution = new Distribution(this, "Distribution", {
      comment: `${config.app}-${config.stage} front door`,
      defaultRootObject: "index.html",
      domainNames: domain ? [domain.name] : undefined,
      certificate: this.certificate,
      // Without a certificate of our own CloudFront ignores this (its *.cloudfront.net one allows TLSv1).
      minimumProtocolVersion: domain ? SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      defaultBehavior: site,
      additionalBehaviors: {
        [FRONT_DOOR_PATHS.static]: site,
        [FRONT_DOOR_PATHS.console]: {
          ...site,
          // Min TTL 0: index.html is stored with no-cache, and the edge must not keep it either.
          cachePolicy: this.consoleCachePolicy(),
          functionAssociations: [
            {
              eventType: FunctionEventType.VIEWER_REQUEST,
              function: this.viewerFunction("ConsoleIndex", consoleIndexCode),
            },
          ],
        },
        [FRONT_DOOR_PATHS.media]: {
          // Keys are media/<uuid>/<name>: the request path is the key, nothing to rewrite.
          origin: S3BucketOrigin.withOriginAccessControl(media.bucket),
          viewerProtocolPolicy,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          cachedMethods: CachedMethods.CACHE_GET_HEAD,
          trustedKeyGroups: [media.keyGroup],
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        },
        [FRONT_DOOR_PATHS.api]: {
          origin: this.apiOrigin(props.restApi, props.apiStageName),
          viewerProtocolPolicy,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          // Every answer depends on the caller: nothing is cached.
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // All viewer headers (Authorization included), cookies and query strings; not Host, which
          // API Gateway needs to be its own name (a viewer's Host makes it answer 403).
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
          functionAssociations: [
            {
              eventType: FunctionEventType.VIEWER_REQUEST,
              function: this.viewerFunction("StripApi", stripApiPrefixCode),
            },
          ],
        },
      },
    });
    this.acknowledgeNag(domain !== undefined);

    this.domainName = domain ? domain.name : this.distribution.distributionDomainName;
    this.url = `https://${this.domainName}/`;
    media.serveDownloadsFrom(this.domainName);
    if (domain) this.aliasRecords(domain);

    if (consoleDir !== undefined) {
      new BucketDeployment(this, "DeployConsole", {
        sources: [
          Source.asset(consoleDir),
          // Written at deploy, so the Cognito domain and client id (tokens at synth) are filled in.
          Source.jsonData(
            "config.json",
            consoleConfig(props.auth?.hostedSignIn(`https://${this.domainName}${CONSOLE_PATH}`)),
          ),
        ],
        destinationBucket: staticSite.bucket,
        destinationKeyPrefix: CONSOLE_PREFIX,
        // The console's file names are not promised to be hashed: browsers revalidate every file.
        cacheControl: [CacheControl.noCache()],
        // Tabs still open on the previous console may fetch its files.
        prune: false,
      });
    } else {
      // Info, not a warning: a synth without a built console is normal (tests, CI), and warnings fail it there.
      Annotations.of(this).addInfo("No consoleAssetDir: /console/* is routed but no console files are published.");
    }
    new CfnOutput(this, "FrontDoorUrl", { key: "FrontDoorUrl", value: this.url });
    new CfnOutput(this, "FrontDoorDistributionId", {
      key: "FrontDoorDistributionId",
      value: this.distribution.distributionId,
    });
  }

  /** Static pages and the console: the policy the static site always had (HSTS, CSP, frames denied). */
  private pageSecurityHeaders(config: Config): ResponseHeadersPolicy {
    return new ResponseHeadersPolicy(this, "SecurityHeaders", {
      comment: `${config.app}-${config.stage} pages security headers`,
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        contentSecurityPolicy: {
          contentSecurityPolicy:
            "default-src 'self'; img-src 'self' data: https:; connect-src 'self' https:; frame-ancestors 'none'; object-src 'none'",
          override: true,
        },
      },
    });
  }

  private consoleCachePolicy(): CachePolicy {
    return new CachePolicy(this, "ConsoleCache", {
      comment: "Console files: the stored Cache-Control decides, down to not caching at all",
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
  }

  private viewerFunction(id: string, code: string): CloudFrontFunction {
    return new CloudFrontFunction(this, id, { code: FunctionCode.fromInline(code), runtime: FunctionRuntime.JS_2_0 });
  }

  /** The REST API's regional endpoint, its stage as the origin path. */
  private apiOrigin(restApi: IRestApi, stageName: string): IOrigin {
    const stack = Stack.of(this);
    return new HttpOrigin(`${restApi.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      originPath: `/${stageName}`,
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
    });
  }

  private domainCertificate(domain: DomainConfig): Certificate {
    const stack = Stack.of(this);
    if (!Token.isUnresolved(stack.region) && stack.region !== CERTIFICATE_REGION) {
      throw new Error(
        `FrontDoor: a custom domain needs the stack in ${CERTIFICATE_REGION} (CloudFront's certificate region), not ${stack.region}`,
      );
    }
    if (Token.isUnresolved(stack.region)) {
      // An environment-agnostic template may be deployed anywhere: refuse before anything is created.
      new CfnRule(this, "CertificateRegion", {
        assertions: [
          {
            assert: Fn.conditionEquals(Aws.REGION, CERTIFICATE_REGION),
            assertDescription: `With a custom domain, deploy this stack to ${CERTIFICATE_REGION}: CloudFront takes ACM certificates only from there.`,
          },
        ],
      });
    }
    return new Certificate(this, "Certificate", {
      domainName: domain.name,
      validation: CertificateValidation.fromDns(this.hostedZone(domain)),
    });
  }

  private hostedZone(domain: DomainConfig) {
    // From configuration, never looked up: synth needs neither credentials nor cdk.context.json.
    return (this.zone ??= HostedZone.fromHostedZoneAttributes(this, "Zone", {
      hostedZoneId: domain.hostedZoneId,
      zoneName: domain.hostedZoneName,
    }));
  }
  private zone?: ReturnType<typeof HostedZone.fromHostedZoneAttributes>;

  private aliasRecords(domain: DomainConfig): void {
    const target = RecordTarget.fromAlias(new CloudFrontTarget(this.distribution));
    const zone = this.hostedZone(domain);
    new ARecord(this, "AliasA", { zone, recordName: domain.name, target });
    new AaaaRecord(this, "AliasAaaa", { zone, recordName: domain.name, target });
  }

  private acknowledgeNag(customDomain: boolean): void {
    Validations.of(this.distribution).acknowledge(
      {
        id: "AwsSolutions-CFR1",
        reason:
          "Pages and the console are public by design, media needs a signed URL and the API a token; no country is blocked by default.",
      },
      {
        id: "AwsSolutions-CFR2",
        reason:
          "API Gateway throttles the API stage and media needs a valid signature at the edge; attach a WAF web ACL when your threat model asks for rate rules.",
      },
      {
        id: "AwsSolutions-CFR3",
        reason:
          "The API writes access logs per request and signs every media URL it issues; enable standard logging with a log bucket when CDN-level logs are required.",
      },
      ...(customDomain
        ? []
        : [
            {
              id: "AwsSolutions-CFR4",
              reason:
                "Without config.domain the distribution uses the default *.cloudfront.net certificate, which allows TLSv1; configure a domain to get TLSv1.2_2021 as the minimum.",
            },
          ]),
    );
  }
}

function isFolderWithIndex(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory() && existsSync(join(dir, "index.html"));
}
