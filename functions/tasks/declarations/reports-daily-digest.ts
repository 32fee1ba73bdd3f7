import * as z from "zod";
import { declareTask } from "../definition.js";

/** A digest of the last day's work: how many tasks of each name ended in each status. */
export const dailyDigestTask = declareTask({
  name: "reports.daily-digest",
  access: "internal",
  queue: "reports",
  payload: z.object({
    hours: z
      .number()
      .int()
      .min(1)
      .max(24 * 31),
  }),
});
