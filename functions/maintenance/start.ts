import {
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
  DescribeExecutionCommand,
} from "@aws-sdk/client-sfn";
import { maintenanceStartVariables, readVariables } from "../contracts/environment.js";
import { database, type Database } from "../core/db/database.js";
import { uuid } from "../core/db/parameters.js";
import { ConflictError } from "../core/errors.js";
import { emitEvent, eventDepsFromEnv, type EventDeps } from "../events/events.js";

export const MAINTENANCE_TOPIC = "server.maintenance";

export interface MaintenanceDeps {
  sfn: SFNClient;
  stateMachineArn: string;
  db: Database;
  events?: EventDeps;
}

export interface StartRequest {
  trigger: "schedule" | "api" | "cli";
  /** Names the run (e.g. "daily-2026-11-22"): a second start with the same key starts nothing. */
  runKey?: string;
  /** Local stage only: make this step fail, to rehearse a failed run. */
  failAt?: string;
}

export interface StartedRun {
  runId: string;
  eventId: string;
  executionArn: string | null;
  duplicate: boolean;
}

/**
 * Starts the maintenance state machine. One run at a time, whoever asks: a unique in-progress
 * row refuses a second (409), and a run key refuses the same scheduled day twice. The event
 * `server.maintenance` is created in_progress here; the state machine moves it on.
 */
export async function startMaintenanceRun(deps: MaintenanceDeps, request: StartRequest): Promise<StartedRun> {
  const events = deps.events ?? { db: deps.db };
  let run = await insertRun(deps.db, request);
  if (!run) {
    const existing = await deps.db.first<{
      id: string;
      status: string;
      event_id: string | null;
      execution_arn: string | null;
      run_key: string | null;
    }>(
      `SELECT id, status, event_id, execution_arn, run_key FROM maintenance_runs
        WHERE status = 'in_progress' OR (run_key IS NOT NULL AND run_key = :runKey)
        ORDER BY (run_key IS NOT DISTINCT FROM :runKey) DESC LIMIT 1`,
      { runKey: request.runKey ?? null },
    );
    if (existing && request.runKey && existing.run_key === request.runKey) {
      return {
        runId: existing.id,
        eventId: existing.event_id ?? "",
        executionArn: existing.execution_arn,
        duplicate: true,
      };
    }
    if (existing && (await stillRunning(deps, existing.execution_arn)))
      throw new ConflictError("A maintenance run is already in progress");
    // The previous run's execution is gone without saying so: close it and take its place.
    if (existing)
      await deps.db.query(
        "UPDATE maintenance_runs SET status = 'failed', error = 'execution ended without reporting', finished_at = now() WHERE id = :id",
        { id: uuid(existing.id) },
      );
    run = await insertRun(deps.db, request);
    if (!run) throw new ConflictError("A maintenance run is already in progress");
  }
  const event = await emitEvent(events, {
    topic: MAINTENANCE_TOPIC,
    status: "in_progress",
    description: "starting",
    payload: { runId: run.id, trigger: request.trigger, runKey: request.runKey ?? null },
  });
  try {
    const { executionArn } = await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: deps.stateMachineArn,
        name: request.runKey ?? `run-${run.id}`,
        input: JSON.stringify({ runId: run.id, eventId: event.id, failAt: request.failAt ?? null, results: {} }),
      }),
    );
    await deps.db.query("UPDATE maintenance_runs SET event_id = :eventId, execution_arn = :arn WHERE id = :id", {
      id: uuid(run.id),
      eventId: uuid(event.id),
      arn: executionArn,
    });
    return { runId: run.id, eventId: event.id, executionArn: executionArn ?? null, duplicate: false };
  } catch (error) {
    const duplicate = error instanceof ExecutionAlreadyExists;
    await deps.db.query(
      duplicate
        ? "DELETE FROM maintenance_runs WHERE id = :id"
        : "UPDATE maintenance_runs SET status = 'failed', error = :error, finished_at = now() WHERE id = :id",
      { id: uuid(run.id), error: String(error) },
    );
    await deps.db.query(
      duplicate
        ? "DELETE FROM events WHERE id = :id"
        : "UPDATE events SET status = 'failed', description = 'could not start' WHERE id = :id",
      { id: uuid(event.id) },
    );
    if (duplicate) return { runId: run.id, eventId: event.id, executionArn: null, duplicate: true };
    throw error;
  }
}

async function insertRun(db: Database, request: StartRequest): Promise<{ id: string } | undefined> {
  return db.first<{ id: string }>(
    `INSERT INTO maintenance_runs (run_key, trigger, status) VALUES (:runKey, :trigger, 'in_progress')
     ON CONFLICT DO NOTHING RETURNING id`,
    { runKey: request.runKey ?? null, trigger: request.trigger },
  );
}

async function stillRunning(deps: MaintenanceDeps, executionArn: string | null): Promise<boolean> {
  // A run that has not got its execution ARN yet is being started right now.
  if (!executionArn) return true;
  const { status } = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
  return status === "RUNNING";
}

let sfn: SFNClient | undefined;
export function maintenanceDepsFromEnv(env: NodeJS.ProcessEnv = process.env): MaintenanceDeps {
  const { MAINTENANCE_STATE_MACHINE_ARN: stateMachineArn } = readVariables(maintenanceStartVariables, env);
  sfn ??= new SFNClient({});
  const db = database(env);
  return { sfn, stateMachineArn, db, events: eventDepsFromEnv(db, env) };
}
