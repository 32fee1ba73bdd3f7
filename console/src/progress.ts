/** How far a maintenance run is, read from its `server.maintenance` event and the ordered step names. */
export interface RunProgress {
  /** Steps behind it (all of them once finished). */
  done: number;
  total: number;
  /** What a screen reader says, e.g. "Running purge-old-events (step 2 of 5)". */
  label: string;
  finished: boolean;
}

export function runProgress(
  event: { status: string; description: string; payload: Record<string, unknown> },
  steps: readonly string[],
): RunProgress {
  const total = steps.length;
  switch (event.status) {
    case "finished":
      return { done: total, total, label: `Finished: all ${total} steps done`, finished: true };
    case "failed": {
      const at = typeof event.payload.failedStep === "string" ? event.payload.failedStep : event.description;
      const error = typeof event.payload.error === "string" ? `: ${event.payload.error}` : "";
      return { done: Math.max(0, steps.indexOf(at)), total, label: `Failed at ${at}${error}`, finished: true };
    }
    default: {
      // While a step runs, the event's description is that step's name (functions/maintenance/procedure.ts).
      const index = steps.indexOf(event.description);
      if (index < 0) return { done: 0, total, label: `Starting (${total} steps)`, finished: false };
      return {
        done: index,
        total,
        label: `Running ${event.description} (step ${index + 1} of ${total})`,
        finished: false,
      };
    }
  }
}
