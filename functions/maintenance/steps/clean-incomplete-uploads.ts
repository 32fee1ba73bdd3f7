import { json } from "../../core/db/parameters.js";
import type { MaintenanceStep } from "../step.js";

/** Uploads announced but never completed (or rejected) leave a row and maybe a partial object behind. */
export const cleanIncompleteUploads: MaintenanceStep = {
  name: "clean-incomplete-uploads",
  description: "Delete media uploads never completed within retention.incompleteUploadHours",
  run: async ({ db, config, now, deleteMediaObject }) => {
    if (!deleteMediaObject) return { deleted: 0, note: "media store not configured" };
    const before = new Date(now.getTime() - config.retention.incompleteUploadHours * 3_600_000);
    const rows = await db.rows<{ id: string; key: string }>(
      `SELECT id, object_key AS key FROM media_objects WHERE status IN ('pending', 'rejected') AND created_at < :before ORDER BY created_at LIMIT 1000`,
      { before },
    );
    for (const row of rows) await deleteMediaObject(row.key);
    if (rows.length > 0) {
      await db.query("DELETE FROM media_objects WHERE id IN (SELECT (jsonb_array_elements_text(:ids))::uuid)", {
        ids: json(rows.map((r) => r.id)),
      });
    }
    return { deleted: rows.length, olderThan: before.toISOString() };
  },
};
