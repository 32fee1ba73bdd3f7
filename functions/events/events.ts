import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { eventVariables, isBound, readVariables } from "../contracts/environment.js";
import type { Database } from "../core/db/database.js";
import { json, uuid } from "../core/db/parameters.js";

export type EventStatus = "pending" | "in_progress" | "finished" | "failed";

export interface AppEvent {
  id: string;
  topic: string;
  status: EventStatus;
  description: string;
  payload: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

const columns = `id, topic, status, description, payload, created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface EventDeps {
  db: Database;
  /** Where each transition is also published; unset when no bus is bound (unit tests). */
  bus?: { client: EventBridgeClient; name: string };
}

/** Records an event and publishes it; the row is the truth, the bus is for whoever listens. */
export async function emitEvent(
  deps: EventDeps,
  event: { topic: string; status: EventStatus; description?: string; payload?: Record<string, unknown> },
): Promise<AppEvent> {
  const row = await deps.db.first<AppEvent>(
    `INSERT INTO events (topic, status, description, payload) VALUES (:topic, :status, :description, :payload) RETURNING ${columns}`,
    {
      topic: event.topic,
      status: event.status,
      description: event.description ?? "",
      payload: json(event.payload ?? {}),
    },
  );
  if (!row) throw new Error("The event was not stored");
  await publish(deps, row);
  return row;
}

/** Moves an event on (status, description, payload merged over the old one) and publishes the new state. */
export async function updateEvent(
  deps: EventDeps,
  id: string,
  change: { status?: EventStatus; description?: string; payload?: Record<string, unknown> },
): Promise<AppEvent> {
  const row = await deps.db.first<AppEvent>(
    `UPDATE events SET status = COALESCE(:status, status), description = COALESCE(:description, description),
            payload = payload || :payload, updated_at = now()
      WHERE id = :id RETURNING ${columns}`,
    {
      id: uuid(id),
      status: change.status ?? null,
      description: change.description ?? null,
      payload: json(change.payload ?? {}),
    },
  );
  if (!row) throw new Error(`No event ${id}`);
  await publish(deps, row);
  return row;
}

export async function listEvents(db: Database, filter: { topic?: string; limit: number }): Promise<AppEvent[]> {
  return db.rows<AppEvent>(
    `SELECT ${columns} FROM events WHERE (:topic::text IS NULL OR topic = :topic) ORDER BY created_at DESC, id DESC LIMIT :limit`,
    { topic: filter.topic ?? null, limit: filter.limit },
  );
}

async function publish(deps: EventDeps, event: AppEvent): Promise<void> {
  if (!deps.bus) return;
  const { FailedEntryCount } = await deps.bus.client.send(
    new PutEventsCommand({
      Entries: [
        { EventBusName: deps.bus.name, Source: "groundcrew", DetailType: event.topic, Detail: JSON.stringify(event) },
      ],
    }),
  );
  if (FailedEntryCount) throw new Error(`EventBridge refused the ${event.topic} event`);
}

let client: EventBridgeClient | undefined;
export function eventDepsFromEnv(db: Database, env: NodeJS.ProcessEnv = process.env): EventDeps {
  if (!isBound(eventVariables, env)) return { db };
  const { EVENT_BUS_NAME: name } = readVariables(eventVariables, env);
  client ??= new EventBridgeClient({});
  return { db, bus: { client, name } };
}
