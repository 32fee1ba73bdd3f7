import { fork, type ChildProcess } from "node:child_process";
import type { AttemptEnd } from "../tasks/lifecycle.js";
import type { TaskMessage } from "../tasks/task-record.js";
import type { Claimed } from "../worker/run-attempt.js";

/** What the runner sends the attempt's process, and what comes back. */
export interface AttemptRequest {
  message: TaskMessage;
  claim: Claimed;
}
export interface AttemptReply {
  end: AttemptEnd;
}

/** The script an attempt's process runs (runner/child.ts, or child.mjs beside the image's bundle). */
export interface ChildEntry {
  path: string;
  /** Node flags for it, e.g. `--import tsx` when run from TypeScript. @default the runner's own */
  execArgv?: string[];
  /** Its environment. @default the runner's own (the same bindings: database, queues) */
  env?: NodeJS.ProcessEnv;
}

/** How an attempt's process ended. */
export type ProcessEnd =
  | { kind: "ended"; end: AttemptEnd }
  /** Killed at the task's hard limit. */
  | { kind: "hard limit"; limitSeconds: number }
  /** Exited without answering: out of memory, process.exit in the task, a crash. */
  | { kind: "crashed"; code: number | null; signal: string | null }
  /** Stopped by the runner: shutting down (released for another runner) or its lease was lost. */
  | { kind: "released" }
  | { kind: "lease lost" };

export interface RunningAttempt {
  readonly done: Promise<ProcessEnd>;
  /** Kills the process now; `done` answers with this reason, unless the attempt had already ended. */
  stop(reason: "released" | "lease lost"): void;
}

/**
 * Runs one claimed attempt in a process of its own, so the hard limit (Celery's time_limit) can
 * stop any task, even one that never yields to its AbortSignal: at the limit the process is killed.
 * The soft limit stays inside the process (worker/run-with-limit.ts), as on Lambda.
 */
export function startAttempt(entry: ChildEntry, request: AttemptRequest, hardLimitSeconds: number): RunningAttempt {
  const child: ChildProcess = fork(entry.path, [], {
    execArgv: entry.execArgv ?? process.execArgv,
    env: entry.env ?? process.env,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let settle: (end: ProcessEnd) => void = () => undefined;
  let ended = false;
  const done = new Promise<ProcessEnd>((resolve) => {
    settle = (end) => {
      if (ended) return;
      ended = true;
      clearTimeout(hardLimit);
      // Whatever the task left running (code abandoned at its soft limit) ends with its process.
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      resolve(end);
    };
  });
  const hardLimit = setTimeout(
    () => settle({ kind: "hard limit", limitSeconds: hardLimitSeconds }),
    hardLimitSeconds * 1000,
  );
  child.on("message", (reply: AttemptReply) => settle({ kind: "ended", end: reply.end }));
  child.on("exit", (code, signal) => settle({ kind: "crashed", code, signal }));
  child.on("error", () => settle({ kind: "crashed", code: null, signal: null }));
  child.send(request);
  return { done, stop: (reason) => settle({ kind: reason }) };
}
