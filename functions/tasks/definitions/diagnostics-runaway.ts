import { implementTask } from "../definition.js";
import { diagnosticsRunawayTask } from "../declarations/diagnostics-runaway.js";

export const diagnosticsRunaway = implementTask(diagnosticsRunawayTask, ({ seconds }) => {
  // Atomics.wait blocks the thread without burning CPU: no timer, no signal and no I/O gets through.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
  return Promise.resolve({ blockedSeconds: seconds });
});
