import { parseCommandLine, runCommand } from "./cli.js";
import type { LocalOutputs } from "./deploy.js";
import { localDown } from "./down.js";
import { sdkNoticeSwitches } from "./log-filters.js";
import { colorWanted, rawJsonWanted } from "./log-format.js";
import { startLogStream } from "./log-stream.js";
import { watchFunctions } from "./live-code.js";
import { stackProcesses, supervise } from "./supervisor.js";
import { localUp } from "./up.js";

const usage = `usage: npm start [-- --json]
  the whole stack locally (what npm run local:up does), then until Ctrl-C: every function's and
  process's logs in one stream, code saved under functions/ live within seconds, and a stand-in,
  runner or emulator that dies started again. Ctrl-C (or npm run local:down elsewhere) stops it all.
  --json   show each log line's raw JSON instead of the readable rendering (or GROUNDCREW_LOG_JSON=1)`;

/**
 * `npm start`. Everything it starts inherits the SDKs' switches for their start-up notices, so the
 * functions the emulator runs are quiet too (log-filters.ts says which and why).
 */
Object.assign(process.env, sdkNoticeSwitches);

await runCommand(usage, async () => {
  const { values } = parseCommandLine({ usage, args: { options: { json: { type: "boolean" } } } });
  const json = values.json === true || rawJsonWanted([]);

  const outputs = await localUp().catch(async (error: unknown) => {
    await localDown();
    throw error;
  });
  console.log(
    `\nGroundcrew is running locally.\n  API: ${outputs.apiUrl}\n  try: curl ${outputs.apiUrl}/health\n` +
      (outputs.frontDoorUrl
        ? `  console: ${outputs.frontDoorUrl}/console/ (sign in with: npm run token -- --sub you --admin)\n`
        : "") +
      `Following every function's logs${json ? " (raw JSON)" : ""}; saved code under functions/ goes live; Ctrl-C stops everything.\n`,
  );

  const stream = startLogStream({
    processes: stackProcesses(),
    format: { color: colorWanted(process.stdout), json },
  });
  const liveCode = (current: LocalOutputs) =>
    watchFunctions({ outputs: current, log: (line) => stream.note("live", line.replace(/^\[live\] /, "")) });
  let live = liveCode(outputs);
  const supervisor = supervise({
    outputs,
    report: (line) => stream.note("supervisor", line),
    onStopped: () => void stop("the stack was stopped (npm run local:down): npm start ends too", false),
    onRedeployed: (redeployed) => {
      // The new emulator has new functions: watch those.
      void live.close().then(() => {
        live = liveCode(redeployed);
      });
    },
  });

  let stopping = false;
  async function stop(reason: string, takeDown: boolean): Promise<void> {
    if (stopping) return;
    stopping = true;
    supervisor.close();
    await live.close();
    await stream.close();
    console.log(`\n${reason}`);
    try {
      if (takeDown) await localDown();
      process.exit(0);
    } catch (error) {
      console.error("Could not stop everything:", error instanceof Error ? error.message : error);
      process.exit(1);
    }
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => void stop("stopping the local stack…", true));
  }
});
