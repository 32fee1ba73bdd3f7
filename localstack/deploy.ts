import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  awsLocalEnv,
  cdkOutDir,
  dataApiUrlForFunctions,
  emulatorEndpoint,
  localAccount,
  localDir,
  localRegion,
  outputsFile,
  repoRoot,
} from "./env.js";
import { stackIsDeployed } from "./stack-status.js";

const cdkBin = join(repoRoot, "node_modules", ".bin", "cdk");
const stackName = "groundcrew-local";
/** The stack `cdk bootstrap` creates (its default qualifier and name). */
const bootstrapStackName = "CDKToolkit";

export interface LocalOutputs {
  stackName: string;
  endpoint: string;
  apiUrl: string;
  [key: string]: string;
}

function cdk(args: string[], quiet = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cdkBin, args, {
      cwd: repoRoot,
      env: { ...process.env, ...awsLocalEnv(), CDK_DISABLE_VERSION_CHECK: "1", CI: "true" },
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (!quiet) process.stdout.write(chunk.toString().replace(/^/gm, "    "));
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`cdk ${args[0]} failed (exit ${code})\n${quiet ? output : ""}`)),
    );
  });
}

/** What bootstrapOnce does and asks; tests give their own. */
export interface BootstrapSteps {
  bootstrap(): Promise<void>;
  /** Whether the emulator still holds the bootstrap stack. */
  isBootstrapped(): Promise<boolean>;
  /** The folder of the marker naming the bootstrapped run. */
  dir: string;
}

const realBootstrapSteps: BootstrapSteps = {
  bootstrap: async () => void (await cdk(["bootstrap", `aws://${localAccount}/${localRegion}`], true)),
  isBootstrapped: () => stackIsDeployed(bootstrapStackName),
  dir: localDir,
};

/**
 * `cdk bootstrap` once per emulator run: its state lives only as long as the emulator runs. The marker
 * names the run; the CDKToolkit stack is asked for too, since an emulator started elsewhere keeps its
 * address across restarts. Answers whether it bootstrapped.
 */
export async function bootstrapOnce(
  emulatorIdentity: string,
  steps: BootstrapSteps = realBootstrapSteps,
): Promise<boolean> {
  const marker = join(steps.dir, "bootstrapped");
  const sameRun = existsSync(marker) && readFileSync(marker, "utf8") === emulatorIdentity;
  if (sameRun && (await steps.isBootstrapped())) return false;
  await steps.bootstrap();
  mkdirSync(steps.dir, { recursive: true });
  writeFileSync(marker, emulatorIdentity);
  return true;
}

export async function deployLocalStack(quiet: boolean): Promise<LocalOutputs> {
  const cdkOutputs = join(localDir, "cdk-outputs.json");
  await cdk(
    [
      "deploy",
      stackName,
      "-c",
      "stage=local",
      "-c",
      `dataApiUrl=${dataApiUrlForFunctions}`,
      "--output",
      cdkOutDir,
      "--require-approval",
      "never",
      "--progress",
      "events",
      "--outputs-file",
      cdkOutputs,
    ],
    quiet,
  );
  const raw = JSON.parse(readFileSync(cdkOutputs, "utf8")) as Record<string, Record<string, string>>;
  const stack = raw[stackName] ?? {};
  const template = JSON.parse(readFileSync(join(cdkOutDir, `${stackName}.template.json`), "utf8")) as {
    Outputs?: Record<string, unknown>;
  };
  const missing = Object.keys(template.Outputs ?? {}).filter((key) => !(key in stack));
  if (missing.length > 0) {
    // Seen with ministack: a stack update keeps the outputs the stack was created with.
    throw new Error(
      `The emulator did not report outputs ${missing.join(", ")}; recreate the local stack: npm run local:down && npm run local:up`,
    );
  }
  const outputs = localOutputs(stack, emulatorEndpoint);
  writeFileSync(outputsFile, `${JSON.stringify(outputs, null, 2)}\n`);
  return outputs;
}

/** Host names that only exist on real AWS: useless on a laptop, and confusing beside the local ones. */
const awsDomains = ["amazonaws.com", "cloudfront.net", "amazoncognito.com"];

function namesAws(value: string): boolean {
  const host = /^https?:\/\/([^/:?#]+)/i.exec(value)?.[1] ?? (/^[a-z0-9.-]+$/i.test(value) ? value : undefined);
  const lower = host?.toLowerCase();
  return lower !== undefined && awsDomains.some((domain) => lower === domain || lower.endsWith(`.${domain}`));
}

/**
 * What `.local/outputs.json` holds: the stack's outputs with every address that names real AWS left
 * out (the stack's `ApiUrl` and CDK's `ApiRestApiEndpoint…` are execute-api.amazonaws.com URLs the
 * emulator does not answer on), plus `apiUrl`, the path the emulator serves the API stage under.
 * Names, ARNs and local URLs (queues, `StaticUrl`) are kept under the stack's own names.
 */
export function localOutputs(stack: Record<string, string>, endpoint: string): LocalOutputs {
  const kept = Object.fromEntries(Object.entries(stack).filter(([, value]) => !namesAws(value)));
  return {
    ...kept,
    stackName,
    endpoint,
    apiUrl: `${endpoint}/_aws/execute-api/${stack.ApiId}/${stack.ApiStage}`,
  };
}

/** The outputs the last `npm run local:up` wrote; a clear sentence, not ENOENT, when there are none. */
export function readLocalOutputs(): LocalOutputs {
  let text: string;
  try {
    text = readFileSync(outputsFile, "utf8");
  } catch {
    throw new Error(`${outputsFile} is missing: start the local stack first (npm run local:up, or npm start)`);
  }
  return JSON.parse(text) as LocalOutputs;
}
