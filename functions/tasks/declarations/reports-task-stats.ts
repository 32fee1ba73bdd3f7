import * as z from "zod";
import { isAdmin } from "../../core/auth/principal.js";
import { declareTask } from "../definition.js";

/**
 * A CSV of recent task statistics, stored as media the requester can download: the report pattern
 * end to end. Any user may ask for one; it is always written into the caller's own media, and counts
 * only the caller's own tasks (an admin's counts everyone's): other users' work is not theirs to see.
 */
export const taskStatsReportTask = declareTask({
  name: "reports.task-stats",
  access: "user",
  fromCaller: { owner: (caller) => caller.sub, everyone: (caller) => isAdmin(caller) },
  queue: "reports",
  payload: z.object({
    hours: z
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .default(24),
    owner: z.string().min(1),
    /** Count every user's tasks, not only the owner's; set from the token (admins only). */
    everyone: z.boolean().default(false),
  }),
  timeLimitSeconds: 120,
});
