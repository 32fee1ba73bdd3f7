import { notify } from "../../notifications/notify.js";
import { notificationsSendTask } from "../declarations/notifications-send.js";
import { implementTask } from "../definition.js";

/**
 * A refused email fails the attempt, so the task is retried and ends failed when its attempts run
 * out. A retry emails every subscriber again (at least once, like any Celery task that is retried).
 */
export const notificationsSend = implementTask(notificationsSendTask, async (change, { db, services, logger }) => {
  const report = await notify(db, services.mailer(), change, logger);
  if (report.failed.length > 0) {
    const first = report.failed[0];
    throw new Error(
      `${report.failed.length} of ${report.recipients} notification email(s) failed (first: ${first?.to}: ${first?.error})`,
    );
  }
  return { recipients: report.recipients, sent: report.sent, durationMs: report.durationMs };
});
