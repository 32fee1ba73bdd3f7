/** Raised when a task ignores its AbortSignal past the grace period. */
export class SoftTimeLimitExceeded extends Error {
  override name = "SoftTimeLimitExceeded";
}

/**
 * Runs `work` with an AbortSignal that fires at the soft limit (Celery's soft_time_limit). A task
 * that does not stop within `graceMs` is abandoned as failed; the Lambda timeout stays the hard limit.
 */
export async function runWithSoftLimit<T>(
  limitMs: number,
  graceMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let abandon: NodeJS.Timeout | undefined;
  const softLimit = setTimeout(
    () => controller.abort(new SoftTimeLimitExceeded(`soft time limit of ${Math.round(limitMs / 1000)}s reached`)),
    limitMs,
  );
  const abandoned = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => {
      abandon = setTimeout(() => reject(controller.signal.reason as Error), graceMs);
    });
  });
  try {
    return await Promise.race([work(controller.signal), abandoned]);
  } catch (error) {
    // A task that stopped because of the signal failed because of the limit, whatever it threw.
    throw controller.signal.aborted ? controller.signal.reason : error;
  } finally {
    clearTimeout(softLimit);
    clearTimeout(abandon);
  }
}
