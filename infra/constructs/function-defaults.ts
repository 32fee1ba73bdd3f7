import { Duration } from "aws-cdk-lib";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import { type BundlingOptions, type LogLevel, type OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { deployBundling } from "../bundling.js";

/** Defaults of every Groundcrew function, kept apart from wiring so they are read in one place. */
export const functionDefaults = {
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  memorySize: 256,
  timeout: Duration.seconds(29),
  logRetention: RetentionDays.ONE_MONTH,
} as const;

/** The esbuild settings of infra/bundling.ts in CDK's words; the benches and the bundle test use the same settings. */
export const bundlingDefaults: BundlingOptions = {
  externalModules: [...deployBundling.external],
  // CDK names these with enums whose values are esbuild's own words.
  format: deployBundling.format as OutputFormat,
  target: deployBundling.target,
  minify: deployBundling.minify,
  sourceMap: deployBundling.sourcemap,
  sourcesContent: deployBundling.sourcesContent,
  mainFields: [...deployBundling.mainFields],
  logLevel: deployBundling.logLevel as LogLevel,
};
