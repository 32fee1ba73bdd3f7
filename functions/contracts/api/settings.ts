import * as z from "zod";
import { notificationsAsyncSchema } from "../config/schema.js";

export const notificationSettingsBody = z.object({ async: notificationsAsyncSchema.nullable() }).strict();

export const notificationSettingsSchema = z
  .strictObject({
    /** What the deployment's configuration says (`notifications.async`). */
    configured: notificationsAsyncSchema,
    /** An admin's runtime override; null when the configuration is in force. */
    override: notificationsAsyncSchema.nullable(),
    /** What the next request uses. */
    effective: notificationsAsyncSchema,
  })
  .meta({ id: "NotificationSettings" });
