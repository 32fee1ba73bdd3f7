import * as z from "zod";
import { listOf } from "./list.js";

export const queueParams = z.object({ name: z.string().min(1).max(80) });

export const queueSchema = z
  .strictObject({
    name: z.string(),
    depth: z.number().int(),
    inFlight: z.number().int(),
    delayed: z.number().int(),
    deadLetterDepth: z.number().int(),
  })
  .meta({ id: "Queue" });

export const queueListSchema = listOf(queueSchema).meta({ id: "QueueList" });

export const redriveResultSchema = z
  .strictObject({
    queue: z.string(),
    tasksRequeued: z.number().int(),
    tasksAwaitingWakeUp: z.number().int(),
    tasksWoken: z.number().int(),
    messagesDeleted: z.number().int(),
    messagesKept: z.number().int(),
    /** The per-call limit was reached: call again for the rest. */
    more: z.boolean(),
  })
  .meta({ id: "RedriveResult" });

export type Queue = z.infer<typeof queueSchema>;
