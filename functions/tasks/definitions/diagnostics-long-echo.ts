import { implementTask } from "../definition.js";
import { diagnosticsLongEchoTask } from "../declarations/diagnostics-long-echo.js";

export const diagnosticsLongEcho = implementTask(
  diagnosticsLongEchoTask,
  async ({ message, seconds }, { attempt, signal, progress }) => {
    for (let done = 0; done < seconds; done++) {
      await sleep(1000, signal);
      await progress(((done + 1) / seconds) * 100, `${done + 1} of ${seconds} s`);
    }
    return { message, attempt };
  },
);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error("diagnostics.long-echo stopped at its soft time limit"));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new Error("diagnostics.long-echo stopped at its soft time limit"));
    });
  });
}
