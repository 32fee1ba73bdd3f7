/**
 * The tasks module's public face: what routes, the worker, the scheduler and maintenance use.
 * Task code (implementations.ts) is not exported here, so a function that only enqueues never bundles it.
 */
export {
  declareTask,
  defineTask,
  implementTask,
  taskStatuses,
  activeStatuses,
  type TaskDeclaration,
  type TaskDefinition,
  type TaskContext,
  type TaskServices,
  type TaskStatus,
  type RetryPolicy,
  type TaskAccess,
} from "./definition.js";
export { keyScopeOf } from "./caller.js";
export { taskDepsFromEnv, type TaskDeps, type QueueAddresses } from "./deps.js";
export {
  enqueueTask,
  enqueueTasks,
  enqueueEach,
  validateTaskRequest,
  BatchRefusedError,
  EnqueueSendError,
  MAX_SQS_DELAY_SECONDS,
  type EnqueueRequest,
  type EnqueueResult,
  type EnqueueOptions,
  type EnqueueOutcome,
} from "./enqueue.js";
export { releaseScheduledTasks } from "./release.js";
export { reconcileTasks, staleAfterByQueue, type ReconcileOptions, type ReconcileReport } from "./reconcile.js";
export { retryFailedTask } from "./requeue.js";
export { getTask, taskRegistry, taskNames } from "./registry.js";
export { findTask, listTasks, cancelTask } from "./queries.js";
export { queueStats, redriveDeadLetters } from "./queues.js";
export type { TaskRecord } from "./task-record.js";
