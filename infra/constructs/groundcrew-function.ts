import { RemovalPolicy, Validations, type Duration } from "aws-cdk-lib";
import { type BundlingOptions, NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { join } from "node:path";
import type { Config } from "../../functions/contracts/config/schema.js";
import { configVariables, runtimeVariables, type FunctionKind } from "../../functions/contracts/environment.js";
import { handlerEntries } from "../bundling.js";
import { setVariables } from "../environment.js";
import { appVersion, functionsDir, repoRoot } from "../paths.js";
import { bundlingDefaults, functionDefaults } from "./function-defaults.js";

export interface GroundcrewFunctionProps {
  /**
   * Which of the app's functions this is: it picks the handler module (`handlerEntries`) and the
   * environment the function expects (functions/contracts/environment.ts).
   */
  readonly kind: FunctionKind;
  readonly config: Config;
  readonly description?: string;
  /** @default 29 seconds */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** Cap on concurrent executions; only for caps the event source mapping cannot express. */
  readonly reservedConcurrentExecutions?: number;
  /** Merged over the project's bundling defaults, e.g. `commandHooks` that copy files into the bundle. */
  readonly bundling?: Partial<BundlingOptions>;
}

/** A Lambda with the project's runtime, bundling, logging and configuration applied once. */
export class GroundcrewFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: GroundcrewFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: functionDefaults.logRetention,
      removalPolicy: props.config.stage === "local" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    super(scope, id, {
      entry: join(functionsDir, handlerEntries[props.kind]),
      handler: "handler",
      description: props.description,
      runtime: functionDefaults.runtime,
      architecture: functionDefaults.architecture,
      memorySize: props.memorySize ?? functionDefaults.memorySize,
      timeout: props.timeout ?? functionDefaults.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      logGroup,
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, "package-lock.json"),
      bundling: { ...bundlingDefaults, ...props.bundling },
      // No NODE_OPTIONS=--enable-source-maps: it parses the whole map at every cold start (a quarter more load
      // time); the logger maps the stack of a logged error itself, reading the map only then (core/source-map.ts).
      environment: {},
    });
    // Everything else a function reads is a binding of the environment contract, written by the
    // construct that owns the resource (Database.bind, WorkerQueues.bindProducer, ...).
    setVariables(this, configVariables, { GROUNDCREW_CONFIG: JSON.stringify(props.config) });
    setVariables(this, runtimeVariables, {
      GROUNDCREW_STAGE: props.config.stage,
      GROUNDCREW_VERSION: appVersion,
      GROUNDCREW_FUNCTION: props.kind,
      POWERTOOLS_SERVICE_NAME: `${props.config.app}-${id}`.toLowerCase(),
      POWERTOOLS_LOG_LEVEL: props.config.logLevel,
    });
    Validations.of(this).acknowledge(
      {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason:
          "The basic execution policy only lets the function write its own logs; every other permission is granted per resource by the bind/grant helpers.",
      },
      {
        id: "AwsSolutions-L1",
        reason:
          "nodejs22.x is the runtime this project targets and tests (bundles are built for node20+); move to a newer runtime deliberately, not implicitly.",
      },
    );
  }
}
