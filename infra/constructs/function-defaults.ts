import { Duration } from "aws-cdk-lib";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import { type BundlingOptions, LogLevel, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { RetentionDays } from "aws-cdk-lib/aws-logs";

/** Defaults of every Groundcrew function, kept apart from wiring so they are read in one place. */
export const functionDefaults = {
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  memorySize: 256,
  timeout: Duration.seconds(29),
  logRetention: RetentionDays.ONE_MONTH,
} as const;

export const bundlingDefaults: BundlingOptions = {
  // The SDK is bundled, never taken from the runtime: versions stay fixed and emulators need none of their own.
  externalModules: [],
  format: OutputFormat.CJS,
  // node20 output runs both on Lambda's nodejs22.x and on the host Node that ministack uses.
  target: "node20",
  minify: true,
  sourceMap: true,
  mainFields: ["module", "main"],
  logLevel: LogLevel.WARNING,
};
