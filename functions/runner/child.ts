import { logger } from "../core/logger.js";
import { taskDepsFromEnv } from "../tasks/deps.js";
import { taskServicesFromEnv } from "../tasks/services.js";
import { runAttempt } from "../worker/run-attempt.js";
import type { AttemptRequest, AttemptReply } from "./attempt-process.js";

/**
 * The process one attempt runs in (runner/attempt-process.ts forks it). It runs the task exactly as
 * a worker Lambda does (worker/run-attempt.ts: payload check, soft limit, retry decision) and sends
 * back how the attempt ended; the runner records it. The runner alone decides when this process
 * ends: a SIGTERM meant for the runner (a terminal's process group) must not cut the task short.
 */
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => undefined);
// The runner is gone (crashed, killed): its lease will end unrenewed and another runner may claim the
// task, so this run must not go on beside that one.
process.on("disconnect", () => process.exit(71));

process.once("message", (request: AttemptRequest) => {
  void (async () => {
    const deps = { ...taskDepsFromEnv(), services: taskServicesFromEnv() };
    // No Lambda clock here: the soft limit is the task's own, the hard one is the runner's to keep.
    const { end } = await runAttempt(
      deps,
      request.message,
      request.claim,
      { remainingMs: () => Infinity, logger },
      true,
    );
    const reply: AttemptReply = { end };
    process.send?.(reply, () => process.exit(0));
  })().catch((error: unknown) => {
    logger.error("The attempt's process failed", { error: error as Error, taskId: request.message.taskId });
    process.exit(70);
  });
});
