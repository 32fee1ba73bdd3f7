import { json, uuid } from "../core/db/parameters.js";
import type { Database } from "../core/db/database.js";
import { updateEvent, type EventDeps } from "../events/events.js";
import type { StepContext, StepOutcome } from "./step.js";
import { stepNamed } from "./steps/index.js";
import { stepSwitches } from "./switches.js";

export interface RunRef {
  runId: string;
  eventId: string;
}

/** Raised on purpose by `failAt` (local stage), to rehearse a failed run end to end. */
export class InjectedFailure extends Error {
  override name = "InjectedFailure";
}

/**
 * One step of a run: the event names it, then it runs, or is skipped when switched off
 * (configuration or runtime override), and says what it did.
 */
export async function runStep(
  context: StepContext & { events: EventDeps },
  run: RunRef & { step: string; failAt?: string | null },
): Promise<StepOutcome> {
  const step = stepNamed(run.step);
  if (!step) throw new Error(`Unknown maintenance step ${run.step}`);
  const switches = await stepSwitches(context.db, context.config);
  const enabled = switches.find((s) => s.name === step.name)?.enabled ?? true;
  await updateEvent(context.events, run.eventId, { description: step.name });
  if (!enabled) return { step: step.name, status: "skipped", details: {} };
  if (run.failAt === step.name && context.config.stage === "local")
    throw new InjectedFailure(`failure injected at ${step.name}`);
  return { step: step.name, status: "ok", details: await step.run(context) };
}

export async function finishRun(
  db: Database,
  events: EventDeps,
  run: RunRef,
  results: Record<string, StepOutcome>,
): Promise<void> {
  const row = await db.first<{ startedAt: string }>(
    `UPDATE maintenance_runs SET status = 'finished', results = :results, finished_at = now() WHERE id = :id RETURNING started_at AS "startedAt"`,
    { id: uuid(run.runId), results: json(results) },
  );
  const durationMs = row ? Date.now() - Date.parse(row.startedAt) : null;
  await updateEvent(events, run.eventId, {
    status: "finished",
    description: "finished",
    payload: { durationMs, steps: Object.values(results) },
  });
}

export async function failRun(
  db: Database,
  events: EventDeps,
  run: RunRef,
  failedStep: string,
  error: string,
): Promise<void> {
  await db.query(
    "UPDATE maintenance_runs SET status = 'failed', failed_step = :failedStep, error = :error, finished_at = now() WHERE id = :id",
    {
      id: uuid(run.runId),
      failedStep,
      error,
    },
  );
  await updateEvent(events, run.eventId, {
    status: "failed",
    description: `failed at ${failedStep}`,
    payload: { failedStep, error },
  });
}
