import { S3Client } from "@aws-sdk/client-s3";
import { runtimeConfiguration } from "../core/config/runtime.js";
import { isBound, mediaCdnVariables, mediaVariables, readVariables } from "../contracts/environment.js";
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
  const { MEDIA_BUCKET: bucket } = readVariables(mediaVariables, env);
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
  if (!isBound(mediaCdnVariables, env)) return new S3DownloadSigner(s3, bucket);
  const cdn = readVariables(mediaCdnVariables, env);
  return new CloudFrontDownloadSigner({
    domain: cdn.MEDIA_CDN_DOMAIN,
    keyPairId: cdn.MEDIA_CDN_KEY_PAIR_ID,
    privateKey: cachedPrivateKey(cdn.MEDIA_SIGNING_KEY_SECRET_ARN),
  });
}
