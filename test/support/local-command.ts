import { spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../../localstack/env.js";

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a local command (`localstack/<file>`) the way its npm script does, tsx on the entry point, with
 * `env` over this process's environment and `stdin` as its whole input; answers its exit code and output.
 */
export function runLocalCommand(
  file: string,
  args: string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "localstack", file), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}
