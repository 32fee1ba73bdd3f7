import type { MaintenanceStep } from "../step.js";
import { cleanIncompleteUploads } from "./clean-incomplete-uploads.js";
import { purgeFinishedTasks } from "./purge-finished-tasks.js";
import { purgeOldEvents } from "./purge-old-events.js";
import { stuckWorkCheck } from "./stuck-work-check.js";
import { vacuum } from "./vacuum.js";

/** The maintenance procedure, in the order it runs: one at a time, VACUUM last. */
export const maintenanceSteps: readonly MaintenanceStep[] = [
  purgeFinishedTasks,
  purgeOldEvents,
  stuckWorkCheck,
  cleanIncompleteUploads,
  vacuum,
];

export const stepNames = maintenanceSteps.map((step) => step.name);

export function stepNamed(name: string): MaintenanceStep | undefined {
  return maintenanceSteps.find((step) => step.name === name);
}
