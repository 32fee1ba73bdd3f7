import { implementTask } from "../definition.js";
import { diagnosticsEchoTask } from "../declarations/diagnostics-echo.js";

export const diagnosticsEcho = implementTask(
  diagnosticsEchoTask,
  async ({ message, sleepMs = 0, failTimes = 0, crashOnAttempt }, { attempt, signal }) => {
    if (sleepMs > 0) await sleep(sleepMs, signal);
    if (attempt === crashOnAttempt) process.exit(137);
    if (attempt <= failTimes)
      throw new Error(`diagnostics.echo failing on purpose (attempt ${attempt} of ${failTimes} planned failures)`);
    return { message };
  },
);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new Error("diagnostics.echo stopped at its soft time limit"));
    });
  });
}
