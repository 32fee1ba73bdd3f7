import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListTagsCommand,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import type { FunctionKind } from "../functions/contracts/environment.js";
import { awsLocalEnv } from "./env.js";
import { waitFor } from "./processes.js";

/** A Lambda client for the emulator (its endpoint and test credentials). */
export function emulatorLambda(): LambdaClient {
  const env = awsLocalEnv();
  return new LambdaClient({
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
  });
}

/**
 * The deployed functions of one stack by kind (several per kind: e.g. a worker per queue). The kind is
 * the GROUNDCREW_FUNCTION variable every GroundcrewFunction is given (infra/constructs/groundcrew-function.ts);
 * the stack is the aws:cloudformation:stack-name tag CloudFormation (and ministack) puts on what it
 * creates, so another stack on the same emulator, or CDK's own helper functions, are never touched.
 */
export async function deployedFunctions(
  lambda: LambdaClient,
  stackName: string,
): Promise<Map<FunctionKind, { name: string; arn: string }[]>> {
  const byKind = new Map<FunctionKind, { name: string; arn: string }[]>();
  let marker: string | undefined;
  do {
    const page = await lambda.send(new ListFunctionsCommand({ Marker: marker }));
    for (const fn of page.Functions ?? []) {
      const kind = fn.Environment?.Variables?.GROUNDCREW_FUNCTION as FunctionKind | undefined;
      if (!kind || !fn.FunctionName || !fn.FunctionArn) continue;
      const { Tags: tags } = await lambda.send(new ListTagsCommand({ Resource: fn.FunctionArn }));
      if (tags?.["aws:cloudformation:stack-name"] !== stackName) continue;
      byKind.set(kind, [...(byKind.get(kind) ?? []), { name: fn.FunctionName, arn: fn.FunctionArn }]);
    }
    marker = page.NextMarker;
  } while (marker);
  return byKind;
}

/** AWS finishes a code update in seconds; a minute means the emulator is stuck. */
const updateTimeoutMs = 60_000;

/**
 * Replaces a function's code. ministack drops the function's warm workers in the same call
 * (services/lambda_svc.py update_function_code → core/lambda_runtime.py invalidate_worker(name,
 * qualifier="$LATEST"), which pops the pool entry and kills its processes), so the next invoke
 * cold-starts on the new code; invokes are not held back while the status reads InProgress.
 * LocalStack, like AWS, updates in the background: `LastUpdateStatus` reads InProgress and invokes
 * keep reaching the old code until it reads Successful. So this returns only once the update is done
 * (an emulator that reports no status counts as done), and throws if it failed.
 */
export async function updateCode(lambda: LambdaClient, functionName: string, zip: Buffer): Promise<void> {
  await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: functionName, ZipFile: zip }));
  await waitFor(
    `the code update of ${functionName}`,
    async () => {
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
      if (config.LastUpdateStatus === "Failed") {
        throw new Error(`${functionName}: code update failed: ${config.LastUpdateStatusReason ?? "no reason given"}`);
      }
      return config.LastUpdateStatus !== "InProgress";
    },
    updateTimeoutMs,
  );
}
