import { watch } from "node:fs";
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { localDown } from "./down.js";
import { EMULATOR } from "./emulator.js";
import { DATA_API } from "./data-api-process.js";
import { logFile } from "./processes.js";
import { containerQueues, runnerName } from "./runner-process.js";
import { localUp } from "./up.js";

/** `npm start`: the whole stack locally, then the logs followed until Ctrl-C, then everything stopped. */
const outputs = await localUp().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await localDown();
  process.exit(1);
});
console.log(
  `\nGroundcrew is running locally.\n  API: ${outputs.apiUrl}\n  try: curl ${outputs.apiUrl}/health\nFollowing logs; Ctrl-C stops everything.\n`,
);

const stopFollowing = [
  follow(EMULATOR),
  follow(DATA_API),
  ...containerQueues().map((queue) => follow(runnerName(queue))),
];
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    for (const stop of stopFollowing) stop();
    void localDown().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("Could not stop everything:", error);
        process.exit(1);
      },
    );
  });
}

/** tail -f of one log file, from its current end. */
function follow(name: string): () => void {
  const path = logFile(name);
  let position = existsSync(path) ? statSync(path).size : 0;
  const print = () => {
    if (!existsSync(path)) return;
    const size = statSync(path).size;
    if (size <= position) return;
    const fd = openSync(path, "r");
    const buffer = Buffer.alloc(size - position);
    readSync(fd, buffer, 0, buffer.length, position);
    closeSync(fd);
    position = size;
    for (const line of buffer.toString("utf8").split("\n")) if (line.trim()) console.log(`[${name}] ${line}`);
  };
  const watcher = watch(path, print);
  const timer = setInterval(print, 1000);
  return () => {
    watcher.close();
    clearInterval(timer);
  };
}
