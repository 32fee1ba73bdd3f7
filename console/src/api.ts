import { ApiProblem, createApiClient } from "../../functions/contracts/api/client.js";
import type { AppEventView, MaintenanceStep } from "../../functions/contracts/api/maintenance.js";
import type { Overview, QueueOverview } from "../../functions/contracts/api/overview.js";
import type { Queue } from "../../functions/contracts/api/queues.js";
import type { Schedule } from "../../functions/contracts/api/schedules.js";
import type { Task, TaskStatus } from "../../functions/contracts/api/tasks.js";

/**
 * The console's one door to the API: the typed client over the API's contract
 * (functions/contracts/api/client.ts), named for the pages. Types come from the contract's schemas
 * (type-only imports, so no zod reaches the bundle); any answer of 400 or more throws an ApiProblem.
 */
export { ApiProblem };
export type { Overview, Schedule, Task };
export type AppEvent = AppEventView;
export type StepSwitch = MaintenanceStep;
/** A queue as the queues page shows it; the overview adds the age of its oldest waiting task. */
export type QueueStats = Queue & Partial<Pick<QueueOverview, "oldestAgeSeconds">>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export interface TaskFilter {
  status?: string;
  name?: string;
  /** A creator's `sub` (admins only). */
  user?: string;
  cursor?: string;
}

export interface ApiOptions {
  baseUrl: string;
  token: () => string | undefined;
  /** Called on a 401, so the console can send the operator back to sign-in. */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

const blankToUndefined = (value: string | undefined) => (value === "" ? undefined : value);

export function createConsoleApi(options: ApiOptions) {
  const send = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const api = createApiClient({
    baseUrl: options.baseUrl,
    token: options.token,
    fetch: async (input, init) => {
      const response = await send(input, init);
      if (response.status === 401) options.onUnauthorized?.();
      return response;
    },
  });

  return {
    overview: () => api.overview(),
    tasks: (f: TaskFilter) =>
      api.listTasks({
        query: {
          status: blankToUndefined(f.status) as TaskStatus | undefined,
          name: blankToUndefined(f.name),
          createdBy: blankToUndefined(f.user),
          cursor: f.cursor,
          limit: 50,
        },
      }),
    task: (id: string) => api.getTask({ params: { id } }),
    retryTask: (id: string) => api.retryTask({ params: { id } }),
    cancelTask: (id: string) => api.cancelTask({ params: { id } }),
    queues: async (): Promise<QueueStats[]> => (await api.listQueues()).items,
    redrive: (queue: string) => api.redriveQueue({ params: { name: queue } }),
    purgeDeadLetters: (queue: string) => api.purgeQueue({ params: { name: queue } }),
    schedules: async () => (await api.listSchedules()).items,
    updateSchedule: (name: string, change: { enabled?: boolean; cron?: string; timezone?: string }) =>
      api.updateSchedule({ params: { name }, body: change }),
    resetSchedule: (name: string) => api.resetSchedule({ params: { name } }),
    runSchedule: (name: string) => api.runSchedule({ params: { name } }),
    steps: async () => (await api.listMaintenanceSteps()).items,
    setStep: (name: string, enabled: boolean) => api.setMaintenanceStep({ params: { name }, body: { enabled } }),
    startMaintenance: () => api.startMaintenanceRun({ body: {} }),
    events: async (f: { topic?: string; limit?: number }) =>
      (await api.listEvents({ query: { topic: blankToUndefined(f.topic), limit: f.limit } })).items,
  };
}

export type ConsoleApi = ReturnType<typeof createConsoleApi>;
