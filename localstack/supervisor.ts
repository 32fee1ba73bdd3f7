import { existsSync, readFileSync } from "node:fs";
import { DATA_API, ensureDataApi } from "./data-api-process.js";
import type { LocalOutputs } from "./deploy.js";
import { EMULATOR } from "./emulator.js";
import { alive, pidFile } from "./processes.js";
import { containerQueues, runnerName, startRunners } from "./runner-process.js";
import { localUp } from "./up.js";

/**
 * `npm start` watches what it started, through the pid files `local:up` writes (processes.ts):
 * - a pid file whose process is gone: it died (a crash, a kill -9). It is reported and started again:
 *   the Data API stand-in by ensureDataApi, the runners by startRunners; an emulator by a whole localUp,
 *   since its state (queues, functions, the API) died with it and the API gets a new URL;
 * - every pid file gone: `npm run local:down` stopped the stack on purpose, so `npm start` ends too.
 * A pid file missing for only some processes is left alone: someone stopped that one on purpose.
 *
 * Each finding must hold on two checks in a row before anything is done: `local:up` (or live code)
 * restarting a runner, and `local:down` stopping the stack, pass through both states for a moment.
 */
export interface SupervisorOptions {
  outputs: LocalOutputs;
  /** One line for the log stream: what died, what was started again. */
  report: (text: string) => void;
  /** The pid files were removed on purpose (npm run local:down). */
  onStopped: () => void;
  /** The emulator died and the stack was deployed again: its outputs (a new API URL). */
  onRedeployed?: (outputs: LocalOutputs) => void;
  /** Which processes to watch; by default each of the stack's that has a pid file now (an emulator or stand-in found running is someone else's). */
  watch?: readonly string[];
  intervalMs?: number;
}

export interface Supervisor {
  close(): void;
  /** Resolves when the current check or restart has finished (tests wait for it). */
  idle(): Promise<void>;
}

type Finding = "running" | "died" | "missing";

export function stackProcesses(): string[] {
  return [EMULATOR, DATA_API, ...containerQueues().map(runnerName)];
}

export function processState(name: string): Finding {
  if (!existsSync(pidFile(name))) return "missing";
  const pid = Number(readFileSync(pidFile(name), "utf8"));
  return alive(pid) ? "running" : "died";
}

export function supervise(options: SupervisorOptions): Supervisor {
  const watched = options.watch ?? stackProcesses().filter((name) => processState(name) !== "missing");
  let outputs = options.outputs;
  let previous = new Map<string, Finding>();
  let closed = false;
  let current: Promise<void> = Promise.resolve();
  /** When a failed redeploy is tried again. */
  let redeployDue: number | undefined;

  const restart = async (name: string): Promise<void> => {
    if (name === EMULATOR) {
      options.report("the emulator died; its state went with it: deploying the stack again (about a minute)");
      outputs = await localUp({ quiet: true });
      options.report(`the stack is back; API: ${outputs.apiUrl}`);
      options.onRedeployed?.(outputs);
    } else if (name === DATA_API) {
      options.report("the Data API stand-in died: starting it again");
      await ensureDataApi();
      options.report("the Data API stand-in is back");
    } else {
      options.report(`${name} died: starting the runners again`);
      await startRunners(outputs);
      options.report(`${name} is back`);
    }
  };

  const check = async (): Promise<void> => {
    const findings = new Map(watched.map((name) => [name, processState(name)] as const));
    const before = previous;
    const confirmed = (name: string, finding: Finding) =>
      findings.get(name) === finding && before.get(name) === finding;
    previous = findings;
    if (watched.length > 0 && watched.every((name) => confirmed(name, "missing"))) {
      closed = true;
      options.onStopped();
      return;
    }
    // The emulator first: bringing it back restarts the runners too. A redeploy that failed is tried again.
    const dead = watched.filter((name) => confirmed(name, "died"));
    const redeploy = dead.includes(EMULATOR) || (redeployDue !== undefined && Date.now() >= redeployDue);
    const order = redeploy ? [EMULATOR] : dead;
    for (const name of order) {
      if (closed) return;
      try {
        await restart(name);
        if (name === EMULATOR) redeployDue = undefined;
      } catch (error) {
        options.report(`could not start ${name} again: ${summary(error)}`);
        if (name === EMULATOR) {
          redeployDue = Date.now() + redeployRetryMs;
          options.report(`trying again in ${redeployRetryMs / 1000} s (Ctrl-C stops everything)`);
        }
      }
    }
    // What was restarted is looked at afresh, not compared with how it was before the restart.
    if (order.length > 0) previous = new Map();
  };

  // One check at a time, the next one a while after the last has finished: a restart may take a minute.
  const intervalMs = options.intervalMs ?? 1000;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    current = check()
      .catch((error: unknown) =>
        options.report(`supervisor: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        if (!closed) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);

  return {
    close() {
      closed = true;
      clearTimeout(timer);
    },
    idle: () => current,
  };
}

/** A redeploy that failed (a busy cdk.out, a deploy error) is tried again after this long. */
const redeployRetryMs = 15_000;

/** The first line of an error and its last (cdk's failures carry their whole output): enough for one glance. */
function summary(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).split("\n").filter((line) => line.trim());
  return lines.length <= 2 ? lines.join(" ") : `${lines[0]} … ${lines[lines.length - 1]?.trim()}`;
}
