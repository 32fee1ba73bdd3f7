import { NOTIFICATIONS_QUEUE, NOTIFICATIONS_SEND_TASK } from "../../contracts/notifications.js";
import { itemChangeSchema } from "../../notifications/notify.js";
import { declareTask } from "../definition.js";

/**
 * Emails a project's subscribers about one item change, on a queue of its own. Only the API
 * enqueues it (for projects set to async); nobody may through POST /tasks.
 */
export const notificationsSendTask = declareTask({
  name: NOTIFICATIONS_SEND_TASK,
  access: "internal",
  queue: NOTIFICATIONS_QUEUE,
  payload: itemChangeSchema,
  timeLimitSeconds: 20,
  retry: { maxAttempts: 3, baseSeconds: 2, maxSeconds: 60 },
});
