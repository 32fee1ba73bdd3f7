import * as z from "zod";
import { healthSchema } from "./health.js";
import {
  eventListSchema,
  eventsQuery,
  startRunBody,
  startedRunSchema,
  stepChangeBody,
  stepListSchema,
  stepParams,
  stepSchema,
} from "./maintenance.js";
import {
  adminMediaListQuery,
  downloadLinkSchema,
  downloadQuery,
  mediaIdParams,
  mediaListQuery,
  mediaListSchema,
  mediaSchema,
  uploadBody,
  uploadTicketSchema,
} from "./media.js";
import { overviewSchema, purgeResultSchema } from "./overview.js";
import { apiPaths, type HttpMethod, type RouteName } from "./paths.js";
import {
  createItemBody,
  createProjectBody,
  itemChangeSchema,
  itemParams,
  memberBody,
  memberSchema,
  projectDetailSchema,
  projectListSchema,
  projectParams,
  projectSchema,
  updateItemBody,
} from "./projects.js";
import { queueListSchema, queueParams, redriveResultSchema } from "./queues.js";
import {
  scheduleChangeBody,
  scheduleListSchema,
  scheduleParams,
  scheduleRunSchema,
  scheduleSchema,
} from "./schedules.js";
import { notificationSettingsBody, notificationSettingsSchema } from "./settings.js";
import {
  enqueueBatchBody,
  enqueueBody,
  enqueuedBatchSchema,
  enqueuedTaskSchema,
  listTasksQuery,
  taskIdParams,
  taskListSchema,
  taskSchema,
} from "./tasks.js";

/** Who may call a route: anyone, any signed-in user, or admins only. */
export type RouteAccess = "public" | "user" | "admin";

/**
 * One route's contract: what it reads (params, query and body schemas, checked before its handler
 * runs) and what it answers (a schema per success status; null for an answer without a body). Every
 * answer of 400 or more is a problem (problem.ts); `problems` lists the statuses a route answers on
 * purpose beyond those every route may give (400 for bad input, 401, 403 on admin routes, 429, 500).
 */
export interface Endpoint {
  method: HttpMethod;
  path: string;
  auth: RouteAccess;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Readonly<Partial<Record<number, z.ZodType | null>>>;
  problems?: readonly number[];
}

const openApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) });

/** The API's contract, route by route: shared by the handlers, the OpenAPI document, the typed client and the tests. */
export const apiRoutes = {
  health: {
    ...apiPaths.health,
    auth: "public",
    summary: "Liveness, including the database (503 while it is unavailable)",
    responses: { 200: healthSchema, 503: healthSchema },
  },
  openApi: {
    ...apiPaths.openApi,
    auth: "public",
    summary: "This API's OpenAPI 3.1 document",
    responses: { 200: openApiDocumentSchema },
  },

  enqueueTask: {
    ...apiPaths.enqueueTask,
    auth: "user",
    summary: "Enqueue a task (the task's `access` says who may)",
    body: enqueueBody,
    responses: { 202: enqueuedTaskSchema },
    problems: [403, 409, 413, 503],
  },
  enqueueTasks: {
    ...apiPaths.enqueueTasks,
    auth: "user",
    summary: "Enqueue up to 100 tasks, all or nothing",
    body: enqueueBatchBody,
    responses: { 202: enqueuedBatchSchema },
    problems: [403, 409, 413, 503],
  },
  listTasks: {
    ...apiPaths.listTasks,
    auth: "user",
    summary: "Tasks, newest first: your own, or everyone's for an admin (`createdBy` picks one user's; admins only)",
    query: listTasksQuery,
    responses: { 200: taskListSchema },
    problems: [403],
  },
  getTask: {
    ...apiPaths.getTask,
    auth: "user",
    summary: "One task: status, attempts, progress, result or error",
    params: taskIdParams,
    responses: { 200: taskSchema },
    problems: [404],
  },
  cancelTask: {
    ...apiPaths.cancelTask,
    auth: "user",
    summary: "Cancel a task that has not started",
    params: taskIdParams,
    responses: { 200: taskSchema },
    problems: [404, 409],
  },
  retryTask: {
    ...apiPaths.retryTask,
    auth: "user",
    summary: "Run a failed task again from attempt 1",
    params: taskIdParams,
    responses: { 202: taskSchema },
    problems: [404, 409],
  },

  listQueues: {
    ...apiPaths.listQueues,
    auth: "admin",
    summary: "Depth, in flight, delayed and DLQ depth per queue",
    responses: { 200: queueListSchema },
  },
  redriveQueue: {
    ...apiPaths.redriveQueue,
    auth: "admin",
    summary: "Bring a queue's failed, dead-lettered tasks back (call again while `more`)",
    params: queueParams,
    responses: { 202: redriveResultSchema },
    problems: [404],
  },
  purgeQueue: {
    ...apiPaths.purgeQueue,
    auth: "admin",
    summary: "Delete a queue's dead letters; their failed tasks stay failed and do not run again",
    params: queueParams,
    responses: { 200: purgeResultSchema },
    problems: [404, 409],
  },

  overview: {
    ...apiPaths.overview,
    auth: "admin",
    summary: "The operator console's first page: queues, the last hour's tasks, next runs, last maintenance run",
    responses: { 200: overviewSchema },
  },

  listSchedules: {
    ...apiPaths.listSchedules,
    auth: "admin",
    summary: "Periodic entries with their next and last run",
    responses: { 200: scheduleListSchema },
  },
  updateSchedule: {
    ...apiPaths.updateSchedule,
    auth: "admin",
    summary: "Override a schedule: on/off, cron, zone, day matching, missed runs, overlap",
    params: scheduleParams,
    body: scheduleChangeBody,
    responses: { 200: scheduleSchema },
    problems: [404],
  },
  resetSchedule: {
    ...apiPaths.resetSchedule,
    auth: "admin",
    summary: "Remove a schedule's override: the code's default is in force again",
    params: scheduleParams,
    responses: { 200: scheduleSchema },
    problems: [404],
  },
  runSchedule: {
    ...apiPaths.runSchedule,
    auth: "admin",
    summary: "Run a schedule's target now, once",
    params: scheduleParams,
    responses: { 202: scheduleRunSchema },
    problems: [404, 409],
  },

  listMaintenanceSteps: {
    ...apiPaths.listMaintenanceSteps,
    auth: "admin",
    summary: "Maintenance steps in run order, with their switches",
    responses: { 200: stepListSchema },
  },
  setMaintenanceStep: {
    ...apiPaths.setMaintenanceStep,
    auth: "admin",
    summary: "Switch a maintenance step on or off",
    params: stepParams,
    body: stepChangeBody,
    responses: { 200: stepSchema },
    problems: [404],
  },
  startMaintenanceRun: {
    ...apiPaths.startMaintenanceRun,
    auth: "admin",
    summary: "Start a maintenance run; its progress is the server.maintenance event",
    body: startRunBody,
    responses: { 202: startedRunSchema },
    problems: [409],
  },
  listEvents: {
    ...apiPaths.listEvents,
    auth: "admin",
    summary: "The event log, newest first",
    query: eventsQuery,
    responses: { 200: eventListSchema },
  },

  listMedia: {
    ...apiPaths.listMedia,
    auth: "user",
    summary: "My files",
    query: mediaListQuery,
    responses: { 200: mediaListSchema },
  },
  listAllMedia: {
    ...apiPaths.listAllMedia,
    auth: "admin",
    summary: "Everyone's files",
    query: adminMediaListQuery,
    responses: { 200: mediaListSchema },
  },
  createUpload: {
    ...apiPaths.createUpload,
    auth: "user",
    summary: "A presigned upload (POST form or PUT URL)",
    body: uploadBody,
    responses: { 201: uploadTicketSchema },
    problems: [403, 413],
  },
  getMediaLink: {
    ...apiPaths.getMediaLink,
    auth: "user",
    summary: "A short-lived signed download URL (302 to it with ?redirect=1)",
    params: mediaIdParams,
    query: downloadQuery,
    responses: { 200: downloadLinkSchema, 302: null },
    problems: [404, 409],
  },
  getMediaInfo: {
    ...apiPaths.getMediaInfo,
    auth: "user",
    summary: "A file's facts",
    params: mediaIdParams,
    responses: { 200: mediaSchema },
    problems: [404],
  },
  deleteMedia: {
    ...apiPaths.deleteMedia,
    auth: "user",
    summary: "Delete a file",
    params: mediaIdParams,
    responses: { 204: null },
    problems: [404],
  },

  createProject: {
    ...apiPaths.createProject,
    auth: "user",
    summary: "Create a project (you are its first member)",
    body: createProjectBody,
    responses: { 201: projectSchema },
  },
  listProjects: {
    ...apiPaths.listProjects,
    auth: "user",
    summary: "Projects you are a member of (all for an admin)",
    responses: { 200: projectListSchema },
  },
  getProject: {
    ...apiPaths.getProject,
    auth: "user",
    summary: "A project and its members",
    params: projectParams,
    responses: { 200: projectDetailSchema },
    problems: [404],
  },
  putProjectMember: {
    ...apiPaths.putProjectMember,
    auth: "user",
    summary: "Add or change a member",
    params: projectParams,
    body: memberBody,
    responses: { 201: memberSchema },
    problems: [404],
  },
  createProjectItem: {
    ...apiPaths.createProjectItem,
    auth: "user",
    summary: "Add an item; members are notified",
    params: projectParams,
    body: createItemBody,
    responses: { 201: itemChangeSchema },
    problems: [404],
  },
  updateProjectItem: {
    ...apiPaths.updateProjectItem,
    auth: "user",
    summary: "Change an item; members are notified",
    params: itemParams,
    body: updateItemBody,
    responses: { 200: itemChangeSchema },
    problems: [404],
  },

  getNotificationSettings: {
    ...apiPaths.getNotificationSettings,
    auth: "admin",
    summary: "How item notifications are sent: inline, or through the queue",
    responses: { 200: notificationSettingsSchema },
  },
  setNotificationSettings: {
    ...apiPaths.setNotificationSettings,
    auth: "admin",
    summary: "Override the notifications mode (null: back to the configuration's)",
    body: notificationSettingsBody,
    responses: { 200: notificationSettingsSchema },
  },
} as const satisfies Record<RouteName, Endpoint>;

export type ApiRoutes = typeof apiRoutes;
