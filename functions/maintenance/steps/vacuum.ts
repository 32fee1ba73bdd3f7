import type { MaintenanceStep } from "../step.js";

/** Last: after the purges, so the space they free is reclaimed and the planner's statistics are fresh. */
export const vacuum: MaintenanceStep = {
  name: "vacuum",
  description: "VACUUM (ANALYZE) the database",
  run: async ({ db }) => {
    const started = Date.now();
    await db.query("VACUUM (ANALYZE)");
    return { durationMs: Date.now() - started };
  },
};
