import * as z from "zod";
import { listOf } from "./list.js";

export const projectParams = z.object({ id: z.uuid("not a project id") });
export const itemParams = projectParams.extend({ itemId: z.uuid("not an item id") });
const title = z.string().trim().min(1).max(200);
const itemText = z.string().max(10_000);

export const createProjectBody = z.object({ name: title, email: z.email().max(254).optional() }).strict();

export const memberBody = z
  .object({
    userId: z.string().trim().min(1).max(200),
    email: z.email().max(254).optional(),
    /** Subscribed by default when an email is given. */
    subscribed: z.boolean().optional(),
  })
  .strict()
  .refine((b) => !(b.subscribed === true && b.email === undefined), {
    message: "a subscriber needs an email",
    path: ["email"],
  });

export const createItemBody = z.object({ title, body: itemText.default("") }).strict();

export const updateItemBody = z
  .object({ title: title.optional(), body: itemText.optional() })
  .strict()
  .refine((b) => b.title !== undefined || b.body !== undefined, { message: "give title, body or both" });

export const projectSchema = z
  .strictObject({ id: z.string(), name: z.string(), createdBy: z.string(), createdAt: z.string() })
  .meta({ id: "Project" });

export const memberSchema = z
  .strictObject({ userId: z.string(), email: z.string().nullable(), subscribed: z.boolean() })
  .meta({ id: "ProjectMember" });

export const projectDetailSchema = projectSchema
  .extend({ members: z.array(memberSchema) })
  .meta({ id: "ProjectDetail" });

export const projectListSchema = listOf(projectSchema).meta({ id: "ProjectList" });

const itemSchema = z
  .strictObject({
    id: z.string(),
    projectId: z.string(),
    title: z.string(),
    body: z.string(),
    version: z.number().int(),
    createdBy: z.string(),
    updatedBy: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "ProjectItem" });

const notificationSchema = z.union([
  z.strictObject({
    mode: z.literal("inline"),
    recipients: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
  }),
  z.strictObject({ mode: z.literal("async"), taskId: z.string() }),
]);

export const itemChangeSchema = z
  .strictObject({ item: itemSchema, notification: notificationSchema })
  .meta({ id: "ProjectItemChange" });

export type Project = z.infer<typeof projectSchema>;
