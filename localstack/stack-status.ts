import { awsLocalEnv, emulatorEndpoint, localRegion } from "./env.js";

/**
 * CloudFormation DescribeStacks on the emulator (the project has no CloudFormation client): true when
 * the stack exists and its last operation completed. Emulators read the account and region from the
 * Authorization header and do not check the signature. Any doubt answers false, which only costs a
 * deploy (or a bootstrap) that was not needed.
 */
export async function stackIsDeployed(stackName: string): Promise<boolean> {
  const env = awsLocalEnv();
  try {
    const response = await fetch(emulatorEndpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `AWS4-HMAC-SHA256 Credential=${env.AWS_ACCESS_KEY_ID}/20000101/${localRegion}/cloudformation/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: new URLSearchParams({ Action: "DescribeStacks", Version: "2010-05-15", StackName: stackName }),
      signal: AbortSignal.timeout(5000),
    });
    const status = /<StackStatus>([A-Z_]+)<\/StackStatus>/.exec(await response.text())?.[1];
    return response.ok && (status === "CREATE_COMPLETE" || status === "UPDATE_COMPLETE");
  } catch {
    return false;
  }
}
