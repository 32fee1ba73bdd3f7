import { onePage } from "../../contracts/api/list.js";
import { apiRoutes } from "../../contracts/api/routes.js";
import type { Verifier } from "../../core/auth/verifier.js";
import { runtimeConfiguration } from "../../core/config/runtime.js";
import { database, type Database } from "../../core/db/database.js";
import { NotFoundError, ValidationError } from "../../core/errors.js";
import { json } from "../../core/http/responses.js";
import { defineRoute, type Route } from "../../core/http/route.js";
import { maintenanceDepsFromEnv, startMaintenanceRun } from "../../maintenance/start.js";
import { nextRun } from "../../scheduler/cron.js";
import { periodicEntries, type PeriodicEntry } from "../../scheduler/periodic.js";
import { effectiveSchedules, type EffectiveSchedule } from "../../scheduler/plan.js";
import { runScheduleNow, type RunNowDeps } from "../../scheduler/run-now.js";
import { deleteOverride, loadState, saveOverride } from "../../scheduler/store.js";
import { validateSchedule } from "../../scheduler/validate.js";
import { enqueueTask, taskDepsFromEnv } from "../../tasks/index.js";

/** What the schedule routes need; tests give their own database, entries, enqueue and clock. */
export interface ScheduleRouteDeps extends RunNowDeps {
  db: Database;
  entries: PeriodicEntry[];
  now: () => Date;
}

function scheduleDepsFromEnv(): ScheduleRouteDeps {
  const config = runtimeConfiguration();
  return {
    db: database(),
    entries: periodicEntries(config),
    now: () => new Date(),
    enqueue: (task, payload, idempotencyKey) =>
      // No caller scope: the run belongs to the system, like the beat's, so its key cannot meet a user's.
      enqueueTask(
        taskDepsFromEnv(),
        { name: task, payload, idempotencyKey, createdBy: "scheduler" },
        { maxPayloadBytes: config.api.maxTaskPayloadBytes },
      ),
    startMaintenance: () => startMaintenanceRun(maintenanceDepsFromEnv(), { trigger: "api" }),
  };
}

/** The code's entries by name, as an own-property map: `__proto__` or `constructor` is just an unknown name. */
function entryNamed(entries: PeriodicEntry[], name: string): PeriodicEntry {
  const entry = new Map(entries.map((e) => [e.name, e])).get(name);
  if (!entry) throw new NotFoundError(`No schedule named "${name}"`);
  return entry;
}

async function schedules(deps: ScheduleRouteDeps) {
  const state = await loadState(deps.db);
  const now = deps.now();
  return effectiveSchedules(deps.entries, state.overrides).map((s) => view(s, state.lastSlots[s.name], now));
}

function view(s: EffectiveSchedule, lastSlot: string | undefined, now: Date) {
  return {
    name: s.name,
    description: s.description,
    cron: s.cron,
    timezone: s.timezone,
    enabled: s.enabled,
    dayMatching: s.dayMatching,
    missed: s.missed,
    overlap: s.overlap,
    overridden: s.overridden,
    target: s.target,
    nextRunAt: s.enabled ? (nextRun(s.cron, s.timezone, now, s.dayMatching)?.toISOString() ?? null) : null,
    lastRunAt: lastSlot ? new Date(lastSlot).toISOString() : null,
  };
}

async function scheduleNamed(deps: ScheduleRouteDeps, name: string) {
  const found = (await schedules(deps)).find((s) => s.name === name);
  if (!found) throw new NotFoundError(`No schedule named "${name}"`);
  return found;
}

export function createScheduleRoutes(
  deps: () => ScheduleRouteDeps = scheduleDepsFromEnv,
  verifier?: () => Promise<Verifier>,
): Route[] {
  return [
    defineRoute({
      ...apiRoutes.listSchedules,
      verifier,
      handle: async () => json(200, onePage(await schedules(deps()))),
    }),
    defineRoute({
      ...apiRoutes.updateSchedule,
      verifier,
      handle: async ({ params, body, principal }) => {
        const d = deps();
        entryNamed(d.entries, params.name);
        const current = await scheduleNamed(d, params.name);
        let checked: { cron: string; timezone: string };
        try {
          // The day matching decides whether a pattern can fire at all, so the pair is checked together.
          checked = validateSchedule(
            body.cron ?? current.cron,
            body.timezone ?? current.timezone,
            body.dayMatching ?? current.dayMatching,
          );
        } catch (error) {
          if (error instanceof ValidationError)
            throw new ValidationError(
              "Invalid request",
              error.issues.map((issue) => `body.${issue}`),
            );
          throw error;
        }
        const change = {
          enabled: body.enabled,
          cron: body.cron === undefined ? undefined : checked.cron,
          timezone: body.timezone === undefined ? undefined : checked.timezone,
          dayMatching: body.dayMatching,
          missed: body.missed,
          overlap: body.overlap,
        };
        await saveOverride(d.db, params.name, change, principal?.sub);
        return json(200, await scheduleNamed(d, params.name));
      },
    }),
    defineRoute({
      ...apiRoutes.resetSchedule,
      verifier,
      handle: async ({ params }) => {
        const d = deps();
        entryNamed(d.entries, params.name);
        // Idempotent: removing an override that is not there still leaves the code's default in force.
        await deleteOverride(d.db, params.name);
        return json(200, await scheduleNamed(d, params.name));
      },
    }),
    defineRoute({
      ...apiRoutes.runSchedule,
      verifier,
      handle: async ({ params }) => {
        const d = deps();
        return json(202, await runScheduleNow(d, entryNamed(d.entries, params.name)));
      },
    }),
  ];
}

/** The deployed routes, with dependencies read from the environment when a request first needs them. */
export const scheduleRoutes: Route[] = createScheduleRoutes();
