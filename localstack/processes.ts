import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { localDir, logDir } from "./env.js";

/** Background processes of the test bed, tracked by pid files so `local:down` stops only what `local:up` started. */
export interface ManagedProcess {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

export const pidFile = (name: string) => join(localDir, `${name}.pid`);
export const logFile = (name: string) => join(logDir, `${name}.log`);

export function startDetached(proc: ManagedProcess): number {
  mkdirSync(logDir, { recursive: true });
  const out = openSync(logFile(proc.name), "a");
  const child = spawn(proc.command, proc.args, {
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...process.env, ...proc.env },
  });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${proc.name}`);
  writeFileSync(pidFile(proc.name), String(child.pid));
  return child.pid;
}

export function runningPid(name: string): number | undefined {
  if (!existsSync(pidFile(name))) return undefined;
  const pid = Number(readFileSync(pidFile(name), "utf8"));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    rmSync(pidFile(name), { force: true });
    return undefined;
  }
}

/** SIGTERM to the whole process group, then SIGKILL: ministack may not stop on SIGTERM while a custom resource is pending. */
export async function stopProcess(name: string, graceMs = 5000): Promise<boolean> {
  const pid = runningPid(name);
  if (pid === undefined) return false;
  signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && alive(pid)) await sleep(100);
  if (alive(pid)) signal(pid, "SIGKILL");
  rmSync(pidFile(name), { force: true });
  return true;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/**
 * Alive as `kill -0` sees it. A zombie counts as alive on purpose: a runner started by an earlier local:up
 * is an orphan that init reaps late, and while local:down waits for it to go, the supervisor must not take
 * it for a crash and start it again. Pid 0 and below name process groups, never one of ours.
 */
export function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  logPath?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(250);
  }
  const tail =
    logPath && existsSync(logPath)
      ? `\n--- last lines of ${logPath} ---\n${readFileSync(logPath, "utf8").split("\n").slice(-30).join("\n")}`
      : "";
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s${tail}`);
}

export async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1500) });
    return response.ok;
  } catch {
    return false;
  }
}
