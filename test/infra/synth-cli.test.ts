import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../infra/paths.js";
import { venvDir } from "../../localstack/env.js";

/**
 * The production path as the README gives it: `npm run synth` through the real CDK CLI, on a
 * machine with no AWS credentials, then cfn-lint on the template. Unlike the assertion tests it
 * bundles every function with esbuild, so it also holds the one real bundling check.
 */

interface CloudAssembly {
  missing?: unknown[];
  artifacts: Record<string, { environment?: string; metadata?: Record<string, { type: string; data: unknown }[]> }>;
}

interface SynthRun {
  code: number | null;
  output: string;
  outdir: string;
}

/** Folders this file creates (cloud assemblies of several MB, empty homes); removed at the end. */
const temporary: string[] = [];

/**
 * A fresh shell: only PATH and a few harmless variables survive, so no AWS_* credential, profile or
 * region, no CDK_DEFAULT_* and none of npm's own settings (npm_*) from the run that started vitest.
 * HOME is an empty folder, so no ~/.aws, ~/.npmrc or ~/.cdk is read.
 */
function freshEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { HOME: mkdtempSync(join(tmpdir(), "groundcrew-home-")) };
  for (const name of ["PATH", "LANG", "TMPDIR", "USER", "SHELL", "CI"])
    if (process.env[name] !== undefined) env[name] = process.env[name];
  return {
    ...env,
    // The npm and CDK update checks and CLI telemetry reach the network and print notices; the synth needs none of them.
    npm_config_update_notifier: "false",
    CDK_DISABLE_VERSION_CHECK: "1",
    CDK_DISABLE_CLI_TELEMETRY: "true",
    ...extra,
  };
}

/** Runs a command to its end and keeps what it printed (stdout and stderr, interleaved). */
function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

/** `npm run synth` (cdk synth -c stage=prod --quiet), written to a folder of its own so runs never share cdk.out. */
async function npmRunSynth(env: NodeJS.ProcessEnv): Promise<SynthRun> {
  const outdir = mkdtempSync(join(tmpdir(), "groundcrew-synth-"));
  temporary.push(outdir, env.HOME as string);
  return { ...(await run("npm", ["run", "synth", "--", "--output", outdir], env)), outdir };
}

function readAssembly(outdir: string): CloudAssembly {
  return JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as CloudAssembly;
}

/**
 * What the CLI printed as a warning: construct annotations ("WARNING ..." / "[Warning at ...]",
 * deprecated APIs among them) and its own, such as unconfigured feature flags.
 */
function cliWarnings(output: string): string[] {
  return output.split("\n").filter((line) => /^\s*(\[Warning|WARNING\b)|feature flags are not configured/i.test(line));
}

/** Warnings and errors the app recorded in the cloud assembly (acknowledged ones are not there). */
function assemblyFindings(assembly: CloudAssembly): string[] {
  return Object.values(assembly.artifacts).flatMap((artifact) =>
    Object.entries(artifact.metadata ?? {}).flatMap(([path, entries]) =>
      entries
        .filter((entry) => entry.type === "aws:cdk:warning" || entry.type === "aws:cdk:error")
        .map((entry) => `${path}: ${JSON.stringify(entry.data)}`),
    ),
  );
}

/** cfn-lint from the project virtualenv (localstack/bootstrap.mjs installs it); settings in .cfnlintrc.yaml. */
function cfnLint(template: string, region: string): Promise<{ code: number | null; output: string }> {
  const binary = join(venvDir, "bin", "cfn-lint");
  if (!existsSync(binary))
    throw new Error(
      `${binary} is missing: run \`node localstack/bootstrap.mjs\` (npm test does) to create the virtualenv`,
    );
  const env = freshEnv();
  temporary.push(env.HOME as string);
  return run(binary, ["--regions", region, "--", template], env);
}

describe("npm run synth through the CDK CLI, without AWS credentials", () => {
  const contextBefore = readFileSync(join(repoRoot, "cdk.context.json"), "utf8");
  let agnostic: SynthRun;
  let bound: SynthRun;
  let lints: { code: number | null; output: string }[] = [];
  let lintError: Error | undefined;

  beforeAll(async () => {
    // Both at once: each is mostly esbuild, and the two never share a file.
    [agnostic, bound] = await Promise.all([
      npmRunSynth(freshEnv()),
      // Another account than any cached context: an availability-zone (or any other) lookup would
      // fail here, since there are no credentials to make it with. The CLI takes the region from
      // AWS_REGION (it replaces CDK_DEFAULT_REGION with its own default, us-east-1).
      npmRunSynth(freshEnv({ CDK_DEFAULT_ACCOUNT: "111122223333", AWS_REGION: "eu-central-1" })),
    ]);
    if (agnostic.code !== 0 || bound.code !== 0) return;
    try {
      lints = await Promise.all([
        cfnLint(join(agnostic.outdir, "groundcrew-prod.template.json"), "us-east-1"),
        cfnLint(join(bound.outdir, "groundcrew-prod.template.json"), "eu-central-1"),
      ]);
    } catch (error) {
      lintError = error instanceof Error ? error : new Error(String(error));
    }
  }, 300_000);

  afterAll(() => {
    for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
  });

  it("synthesizes an environment-agnostic stack with no account, and a bound one for another account, with no context lookup", () => {
    expect(agnostic.code, agnostic.output).toBe(0);
    expect(bound.code, bound.output).toBe(0);
    const agnosticAssembly = readAssembly(agnostic.outdir);
    const boundAssembly = readAssembly(bound.outdir);
    expect(agnosticAssembly.artifacts["groundcrew-prod"]?.environment).toBe("aws://unknown-account/unknown-region");
    expect(boundAssembly.artifacts["groundcrew-prod"]?.environment).toBe("aws://111122223333/eu-central-1");
    expect(agnosticAssembly.missing).toBeUndefined();
    expect(boundAssembly.missing).toBeUndefined();
    // Nothing was looked up and cached on the way.
    expect(readFileSync(join(repoRoot, "cdk.context.json"), "utf8")).toBe(contextBefore);
    // The VPC's zones come from CloudFormation, not from a lookup.
    const template = readFileSync(join(bound.outdir, "groundcrew-prod.template.json"), "utf8");
    expect(template).toContain('"Fn::GetAZs"');
  });

  it("prints no CDK warning and records none in the assembly (each is fixed or acknowledged with a reason)", () => {
    for (const run of [agnostic, bound]) {
      expect(cliWarnings(run.output)).toEqual([]);
      expect(assemblyFindings(readAssembly(run.outdir))).toEqual([]);
    }
  });

  it("bundles the API function with esbuild (the one real bundling check; assertion tests skip it)", () => {
    const template = JSON.parse(readFileSync(join(agnostic.outdir, "groundcrew-prod.template.json"), "utf8")) as {
      Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
    };
    const api = Object.entries(template.Resources).find(
      ([id, r]) => id.startsWith("ApiFunction") && r.Type === "AWS::Lambda::Function",
    )?.[1];
    const assetHash = api?.Properties.Code?.S3Key?.replace(/\.zip$/, "");
    expect(assetHash).toBeDefined();
    const bundle = join(agnostic.outdir, `asset.${assetHash}`, "index.js");
    expect(existsSync(bundle)).toBe(true);
    // Minified, with the SDK and the routes inside (about 1 MB): far more than a placeholder.
    expect(statSync(bundle).size).toBeGreaterThan(200_000);
  });

  it("passes cfn-lint with no errors and no warnings", () => {
    if (lintError) throw lintError;
    expect(lints).toHaveLength(2);
    for (const lint of lints) expect({ code: lint.code, output: lint.output }).toEqual({ code: 0, output: "" });
  });
});
