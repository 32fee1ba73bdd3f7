import { EMULATOR } from "./emulator.js";
import { FileLogSource } from "./log-file-source.js";
import { chain, emulatorEcho, sdkNotices, type LineFilter } from "./log-filters.js";
import { colorWanted, LogFormatter, rawJsonWanted, type FormatOptions } from "./log-format.js";
import { FunctionLogSource } from "./log-function-source.js";
import { logFile } from "./processes.js";

/**
 * One stream of everything the local stack logs: every deployed function (from the emulator's
 * CloudWatch Logs, see log-function-source.ts) and the processes `local:up` started (their files in
 * .local/logs), each line named by its source (api, worker-default, data-api, runner-long…).
 */
export interface LogStreamOptions {
  /** Process logs to follow by name: .local/logs/<name>.log. */
  processes: readonly string[];
  /** Where finished lines go; by default stdout. */
  write?: (text: string) => void;
  /** By default: colours on a terminal without NO_COLOR; raw JSON with `--json` or GROUNDCREW_LOG_JSON=1. */
  format?: FormatOptions;
  /** Function lines older than this are not shown; by default the moment the stream starts. */
  since?: number;
  /** How often function logs are asked for. */
  pollMs?: number;
  /** How often the deployed functions are listed again (a deploy may add one). */
  discoverMs?: number;
}

export interface LogStream {
  /** A line of the stream's own (the supervisor's reports), formatted like every other. */
  note(source: string, text: string): void;
  close(): Promise<void>;
}

export function startLogStream(options: LogStreamOptions): LogStream {
  const write = options.write ?? ((text: string) => process.stdout.write(`${text}\n`));
  const formatter = new LogFormatter(options.format ?? { color: colorWanted(process.stdout), json: rawJsonWanted() });
  const filters = new Map<string, LineFilter>();
  const emit = (source: string, text: string) => {
    if (text.trim() === "") return;
    let keep = filters.get(source);
    if (!keep) {
      keep = source === EMULATOR ? chain(sdkNotices(), emulatorEcho()) : sdkNotices();
      filters.set(source, keep);
    }
    if (!keep(text)) return;
    const line = formatter.format(source, text);
    if (line !== undefined) write(line);
  };

  const files = options.processes.map((name) => ({ name, source: new FileLogSource(logFile(name)) }));
  const readFiles = () => {
    for (const { name, source } of files) for (const text of source.read()) emit(name, text);
  };
  const fileTimer = setInterval(readFiles, 300);

  const functions = new FunctionLogSource(options.since ?? Date.now());
  const pollMs = options.pollMs ?? 1000;
  const discoverMs = options.discoverMs ?? 5000;
  let closed = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  // One request at a time: a slow emulator (or one that is restarting) is not piled up with polls.
  const loop = (async () => {
    let discovered = 0;
    while (!closed) {
      try {
        if (Date.now() - discovered >= discoverMs) {
          await functions.discover();
          discovered = Date.now();
        }
        for (const line of await functions.poll()) emit(line.source, line.text);
      } catch {
        // The emulator is down or restarting: the supervisor reports that; try again at the next turn.
      }
      if (!closed) await pause(pollMs);
    }
  })();

  return {
    note: emit,
    async close() {
      closed = true;
      clearInterval(fileTimer);
      wake?.();
      await loop;
      readFiles();
      functions.close();
    },
  };
}
