import type { MaintenanceStep } from "../step.js";

/** Task records past retention go; the schedule's slot history too (the latest slot per schedule stays in schedule_state). */
export const purgeFinishedTasks: MaintenanceStep = {
  name: "purge-finished-tasks",
  description: "Delete finished task records older than retention.finishedTaskDays",
  run: async ({ db, config, now }) => {
    const before = new Date(now.getTime() - config.retention.finishedTaskDays * 86_400_000);
    const tasks = await db.query(
      "DELETE FROM tasks WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < :before",
      { before },
    );
    const slots = await db.query("DELETE FROM schedule_slots WHERE slot < :before", { before });
    return { tasksDeleted: tasks.updated, scheduleSlotsDeleted: slots.updated, olderThan: before.toISOString() };
  },
};
