import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { NOTIFICATIONS_SEND_TASK, STUCK_NOTIFICATIONS_METRIC } from "../../contracts/notifications.js";
import type { MaintenanceStep } from "../step.js";

/** A task queued longer than this has not been picked up: the queue or its worker is in trouble. */
const QUEUED_TOO_LONG_HOURS = 1;

/**
 * A system check for work stuck forever (what an operator used to spot in Flower): tasks running past their lease, tasks
 * queued far too long, dead letters waiting, notification emails still unsent after `notifications.stuckAfterMinutes`.
 * Findings are warnings in the run's event and metrics (StuckWork, StuckNotifications) that alarms watch; they do not
 * fail the run.
 */
export const stuckWorkCheck: MaintenanceStep = {
  name: "stuck-work-check",
  description: "Warn about tasks past their lease, tasks queued too long, unsent notifications and dead letters",
  run: async ({ db, now, sqs, queues, metrics, logger, config }) => {
    const stuckAfterMinutes = config.notifications.stuckAfterMinutes;
    const row = await db.first<{ expired: number; stale: number; notifications: number }>(
      `SELECT count(*) FILTER (WHERE status = 'running' AND lease_expires_at < :now) AS expired,
              count(*) FILTER (WHERE status = 'queued' AND created_at < :staleBefore) AS stale,
              count(*) FILTER (WHERE name = :notificationTask AND status IN ('queued', 'scheduled', 'retrying')
                                 AND created_at < :notificationsBefore) AS notifications
         FROM tasks`,
      {
        now,
        staleBefore: new Date(now.getTime() - QUEUED_TOO_LONG_HOURS * 3_600_000),
        notificationTask: NOTIFICATIONS_SEND_TASK,
        notificationsBefore: new Date(now.getTime() - stuckAfterMinutes * 60_000),
      },
    );
    const warnings: string[] = [];
    const stuckNotifications = Number(row?.notifications ?? 0);
    if (row && row.expired > 0) warnings.push(`${row.expired} task(s) running past their lease`);
    if (row && row.stale > 0) warnings.push(`${row.stale} task(s) queued for more than ${QUEUED_TOO_LONG_HOURS}h`);
    if (stuckNotifications > 0)
      warnings.push(`${stuckNotifications} notification(s) pending for more than ${stuckAfterMinutes} min`);
    const deadLetters: Record<string, number> = {};
    if (sqs && queues) {
      for (const [name, addresses] of Object.entries(queues)) {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: addresses.deadLetterUrl,
            AttributeNames: ["ApproximateNumberOfMessages"],
          }),
        );
        const depth = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
        deadLetters[name] = depth;
        if (depth > 0) warnings.push(`${depth} message(s) in the ${name} dead-letter queue`);
      }
    }
    metrics?.addMetric("StuckWork", MetricUnit.Count, warnings.length);
    metrics?.addMetric(STUCK_NOTIFICATIONS_METRIC, MetricUnit.Count, stuckNotifications);
    if (warnings.length > 0) logger.warn("Stuck work found", { warnings });
    return {
      warnings,
      runningPastLease: row?.expired ?? 0,
      queuedTooLong: row?.stale ?? 0,
      notificationsPending: stuckNotifications,
      deadLetters,
    };
  },
};
