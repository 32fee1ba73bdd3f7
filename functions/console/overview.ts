import { PurgeQueueCommand } from "@aws-sdk/client-sqs";
import type { Database } from "../core/db/database.js";
import { ConflictError, NotFoundError } from "../core/errors.js";
import { listEvents, type AppEvent } from "../events/events.js";
import { nextRun } from "../scheduler/cron.js";
import type { PeriodicEntry } from "../scheduler/periodic.js";
import { effectiveSchedules } from "../scheduler/plan.js";
import { loadState } from "../scheduler/store.js";
import type { TaskDeps } from "../tasks/index.js";
import { findQueue, queueStats, type QueueStats } from "../tasks/queues.js";

/** One queue on the console's first page: SQS's counters plus the age of the oldest task waiting to run. */
export interface QueueOverview extends QueueStats {
  /** Seconds since the oldest queued or retrying task became due; null when nothing waits. */
  oldestAgeSeconds: number | null;
}

export interface Overview {
  generatedAt: string;
  queues: QueueOverview[];
  /** Tasks created in the last hour, counted by their status now. */
  tasksLastHour: Record<string, number>;
  /** Enabled schedules, soonest first. */
  nextRuns: { name: string; cron: string; timezone: string; nextRunAt: string }[];
  /** The newest `server.maintenance` event, running or ended; null before the first run. */
  lastMaintenance: AppEvent | null;
}

export interface OverviewDeps {
  tasks: TaskDeps;
  entries: PeriodicEntry[];
}

/** How many upcoming schedule runs the overview lists. */
const NEXT_RUNS = 5;

/**
 * Everything the operator console's overview shows, in one request: it replaces four calls and
 * adds the two figures no other route has (oldest waiting task per queue, tasks by status).
 */
export async function overview(deps: OverviewDeps): Promise<Overview> {
  const now = deps.tasks.now();
  const [queues, oldest, counts, state, events] = await Promise.all([
    queueStats(deps.tasks),
    oldestWaiting(deps.tasks.db, now),
    tasksByStatusSince(deps.tasks.db, new Date(now.getTime() - 3_600_000)),
    loadState(deps.tasks.db),
    listEvents(deps.tasks.db, { topic: "server.maintenance", limit: 1 }),
  ]);
  const nextRuns = effectiveSchedules(deps.entries, state.overrides)
    .filter((s) => s.enabled)
    .flatMap((s) => {
      const at = nextRun(s.cron, s.timezone, now, s.dayMatching);
      return at ? [{ name: s.name, cron: s.cron, timezone: s.timezone, nextRunAt: at.toISOString() }] : [];
    })
    .sort((a, b) => a.nextRunAt.localeCompare(b.nextRunAt))
    .slice(0, NEXT_RUNS);
  return {
    generatedAt: now.toISOString(),
    queues: queues.map((q) => {
      const since = oldest.get(q.name);
      return {
        ...q,
        oldestAgeSeconds: since ? Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000)) : null,
      };
    }),
    tasksLastHour: counts,
    nextRuns,
    lastMaintenance: events[0] ?? null,
  };
}

/**
 * When the oldest task of each queue that waits to run became due. SQS's own "age of oldest message"
 * is a CloudWatch metric, not a queue attribute; the task rows answer the operator's real question
 * (how long has work been waiting) and count a task once whatever its wake-ups did.
 */
async function oldestWaiting(db: Database, now: Date): Promise<Map<string, Date>> {
  const rows = await db.rows<{ queue: string; since: string }>(
    `SELECT queue, min(COALESCE(run_at, created_at)) AS since FROM tasks
      WHERE status IN ('queued', 'retrying') AND COALESCE(run_at, created_at) <= :nowAt
      GROUP BY queue`,
    { nowAt: now },
  );
  return new Map(rows.map((r) => [r.queue, new Date(r.since)]));
}

async function tasksByStatusSince(db: Database, since: Date): Promise<Record<string, number>> {
  const rows = await db.rows<{ status: string; count: number | bigint | string }>(
    `SELECT status, count(*) AS count FROM tasks WHERE created_at >= :since GROUP BY status ORDER BY status`,
    { since },
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.count)]));
}

/**
 * Empties a queue's dead-letter queue without running anything again: the console's "purge", the
 * opposite choice to a redrive. The failed tasks stay failed (their rows keep the error), so nothing
 * is lost but the messages; a dead letter whose task still waits is covered by the reconciler,
 * which sends such a task a fresh wake-up on a later beat.
 */
export async function purgeDeadLetters(deps: TaskDeps, name: string): Promise<{ queue: string; purged: true }> {
  const queue = findQueue(deps, name);
  if (!queue) throw new NotFoundError(`No queue named "${name}"`);
  try {
    await deps.sqs.send(new PurgeQueueCommand({ QueueUrl: queue.deadLetterUrl }));
  } catch (error) {
    // SQS allows one purge per queue a minute; a second click within it is a conflict, not a failure.
    if ((error as { name?: string }).name === "PurgeQueueInProgress")
      throw new ConflictError(`The dead letters of "${name}" were purged less than a minute ago; try again later`);
    throw error;
  }
  return { queue: name, purged: true };
}
