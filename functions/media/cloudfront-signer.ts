import { getSignedUrl } from "@aws-sdk/cloudfront-signer";
import type { DownloadSigner } from "./storage.js";

export interface CloudFrontSignerOptions {
  /** The media distribution's domain, e.g. d111111abcdef8.cloudfront.net. */
  domain: string;
  /** The id of the CloudFront public key in the distribution's key group. */
  keyPairId: string;
  /** PEM of the matching private key; read from Secrets Manager at runtime, never from code or env. */
  privateKey: () => Promise<string>;
}

/** Canned-policy CloudFront signed URLs: valid for one object until `expiresAt`. */
export class CloudFrontDownloadSigner implements DownloadSigner {
  constructor(private readonly options: CloudFrontSignerOptions) {}

  async sign(key: string, expiresAt: Date): Promise<string> {
    const path = key.split("/").map(encodeURIComponent).join("/");
    return getSignedUrl({
      url: `https://${this.options.domain}/${path}`,
      keyPairId: this.options.keyPairId,
      privateKey: await this.options.privateKey(),
      dateLessThan: expiresAt,
    });
  }
}
