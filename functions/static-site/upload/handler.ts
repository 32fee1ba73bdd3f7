import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readVariables, staticSiteVariables } from "../../contracts/environment.js";
import { ensureEnvironment } from "../../core/environment-check.js";
import { logger } from "../../core/logger.js";
import { staticFiles } from "../files.js";

/**
 * Local stage only: copies the static files bundled next to this handler (`public/`) into the
 * site bucket, since the emulator cannot run CDK's BucketDeployment (it needs the AWS CLI layer).
 */
export async function uploadStaticFiles(s3: S3Client, bucket: string, root: string): Promise<string[]> {
  const keys: string[] = [];
  for (const file of staticFiles(root)) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: file.key,
        Body: readFileSync(file.path),
        ContentType: file.contentType,
        CacheControl: file.cacheControl,
      }),
    );
    keys.push(file.key);
  }
  return keys;
}

export const handler = async (): Promise<{ uploaded: number }> => {
  ensureEnvironment("static-upload");
  const { STATIC_BUCKET: bucket } = readVariables(staticSiteVariables);
  const root = join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), "public");
  const keys = await uploadStaticFiles(new S3Client({ forcePathStyle: true }), bucket, root);
  logger.info("Static files uploaded", { bucket, count: keys.length });
  return { uploaded: keys.length };
};
