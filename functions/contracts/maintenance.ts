/**
 * The maintenance steps, by name, in the order they run: VACUUM last, when the purges before it
 * have left it something to reclaim. CDK builds the state machine from this list without loading
 * the steps' code; functions/maintenance/steps/index.ts must list the same steps in the same order
 * (a unit test checks it).
 */
export const maintenanceStepNames = [
  "purge-finished-tasks",
  "purge-old-events",
  "stuck-work-check",
  "clean-incomplete-uploads",
  "vacuum",
] as const;

export type MaintenanceStepName = (typeof maintenanceStepNames)[number];
