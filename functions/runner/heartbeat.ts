import { uuid } from "../core/db/parameters.js";
import type { Database } from "../core/db/database.js";

/**
 * Renews the lease of a running attempt; false when the attempt is no longer the task's current one
 * (it was recorded, cancelled, or another runner took it over after the lease ran out).
 */
export async function extendLease(db: Database, id: string, attempt: number, leaseSeconds: number): Promise<boolean> {
  const row = await db.first<{ id: string }>(
    `UPDATE tasks SET lease_expires_at = now() + make_interval(secs => :lease), updated_at = now()
      WHERE id = :id AND status = 'running' AND attempts = :attempt
     RETURNING id`,
    { id: uuid(id), attempt, lease: leaseSeconds },
  );
  return row !== undefined;
}
