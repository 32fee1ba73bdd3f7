import { S3Client } from "@aws-sdk/client-s3";
import { runtimeConfiguration } from "../core/config/load.js";
import { database } from "../core/db/database.js";
import { CloudFrontDownloadSigner } from "./cloudfront-signer.js";
import { MediaRepository } from "./repository.js";
import { S3DownloadSigner, S3MediaStorage } from "./s3-storage.js";
import { MediaService } from "./service.js";
import { cachedPrivateKey } from "./signing-key.js";
import type { DownloadSigner } from "./storage.js";

let shared: MediaService | undefined;

/**
 * The media service of a deployed function, from what MediaStore.bind set: the bucket, and in
 * prod the CloudFront domain, key id and the ARN of the secret holding the signing key.
 */
export function mediaService(env: NodeJS.ProcessEnv = process.env): MediaService {
  if (shared) return shared;
  const config = runtimeConfiguration(env);
  const bucket = required(env, "MEDIA_BUCKET");
  // Emulators answer on an IP address, where virtual-hosted bucket names cannot resolve.
  const s3 = new S3Client({ forcePathStyle: config.stage === "local" });
  shared = new MediaService({
    repository: new MediaRepository(database(env)),
    storage: new S3MediaStorage(s3, bucket),
    signer: downloadSigner(env, s3, bucket),
    limits: config.media,
  });
  return shared;
}

function downloadSigner(env: NodeJS.ProcessEnv, s3: S3Client, bucket: string): DownloadSigner {
  if (!env.MEDIA_CDN_DOMAIN) return new S3DownloadSigner(s3, bucket);
  return new CloudFrontDownloadSigner({
    domain: env.MEDIA_CDN_DOMAIN,
    keyPairId: required(env, "MEDIA_CDN_KEY_PAIR_ID"),
    privateKey: cachedPrivateKey(required(env, "MEDIA_SIGNING_KEY_SECRET_ARN")),
  });
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: bind the function to MediaStore in CDK`);
  return value;
}
