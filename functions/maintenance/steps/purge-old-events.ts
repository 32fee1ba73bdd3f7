import type { MaintenanceStep } from "../step.js";

export const purgeOldEvents: MaintenanceStep = {
  name: "purge-old-events",
  description: "Delete finished or failed events older than retention.eventDays",
  run: async ({ db, config, now }) => {
    const before = new Date(now.getTime() - config.retention.eventDays * 86_400_000);
    const { updated } = await db.query(
      "DELETE FROM events WHERE status IN ('finished', 'failed') AND updated_at < :before",
      { before },
    );
    return { eventsDeleted: updated, olderThan: before.toISOString() };
  },
};
