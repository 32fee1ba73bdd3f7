/**
 * Names both sides of the notifications feature use: CDK binds the queue's worker and builds the
 * alarm from these without loading the feature's code.
 */
export const NOTIFICATIONS_QUEUE = "notifications";
export const NOTIFICATIONS_SEND_TASK = "notifications.send";
/** The maintenance metric (namespace Groundcrew, service maintenance) counting notifications unsent for too long. */
export const STUCK_NOTIFICATIONS_METRIC = "StuckNotifications";
