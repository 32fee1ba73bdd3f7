import type { TaskDeps } from "../tasks/deps.js";
import { enqueueEach, type EnqueueOptions } from "../tasks/index.js";
import type { DispatcherDeps } from "./dispatch.js";

/**
 * The beat's enqueue: all of a chunk's slot tasks through the tasks module's bulk path, in the
 * system's key scope. Each slot stands on its own: an entry whose payload no longer validates
 * fails alone, and the others start.
 */
export function enqueueSlotTasks(tasks: TaskDeps, options: EnqueueOptions = {}): DispatcherDeps["enqueue"] {
  return async (items) => {
    const outcomes = await enqueueEach(
      tasks,
      items.map((item) => ({
        name: item.task,
        payload: item.payload,
        idempotencyKey: item.idempotencyKey,
        createdBy: "scheduler",
      })),
      options,
    );
    return outcomes.map((o) => (o.ok ? undefined : o.error instanceof Error ? o.error : new Error(String(o.error))));
  };
}
