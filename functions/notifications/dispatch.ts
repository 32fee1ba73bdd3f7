import type { Logger } from "@aws-lambda-powertools/logger";
import type { Database } from "../core/db/database.js";
import type { Mailer } from "./mailer.js";
import { asyncSetting, modeFor, type AsyncSetting } from "./mode.js";
import { notify, type ItemChange } from "./notify.js";

export interface DispatchDeps {
  db: Database;
  /** The configuration's `notifications.async`; an admin's override in `settings` wins. */
  configured: AsyncSetting;
  /** Created on first use: an async request never builds an SES client. */
  mailer: () => Mailer;
  /** Enqueues a `notifications.send` task for the change. */
  enqueue: (change: ItemChange) => Promise<{ id: string }>;
  logger: Pick<Logger, "info" | "error">;
}

export type DispatchOutcome =
  { mode: "inline"; recipients: number; sent: number; failed: number } | { mode: "async"; taskId: string };

/**
 * Sends the change's notifications the way the project is set to, read again on every call so an
 * admin's switch applies to the next change: inline (the request waits for every email) or async
 * (the request enqueues one task and answers at once).
 */
export async function dispatchNotification(deps: DispatchDeps, change: ItemChange): Promise<DispatchOutcome> {
  const { effective } = await asyncSetting(deps.db, deps.configured);
  if (modeFor(effective, change.projectId) === "async") {
    const task = await deps.enqueue(change);
    return { mode: "async", taskId: task.id };
  }
  const report = await notify(deps.db, deps.mailer(), change, deps.logger);
  // The item is saved either way; a refused email is logged and reported, not turned into a failed request.
  if (report.failed.length > 0) deps.logger.error("Notification emails failed", { ...change, failed: report.failed });
  return { mode: "inline", recipients: report.recipients, sent: report.sent, failed: report.failed.length };
}
