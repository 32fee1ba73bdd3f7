import type { Logger } from "@aws-lambda-powertools/logger";
import { isUnavailable } from "../core/db/unavailable.js";
import type { TaskDeps } from "../tasks/deps.js";
import { claimTask, claimTasks, recordOutcomes, type AttemptEnd, type ClaimResult } from "../tasks/lifecycle.js";
import { MAX_MESSAGE_BYTES, parseTaskMessage, sendTaskMessage, sendToDeadLetters } from "../tasks/messages.js";
import type { PendingOutcome, TaskMessage } from "../tasks/task-record.js";
import { runAttempt } from "./run-attempt.js";
import { writeWithDeadline } from "./write-with-deadline.js";

/** What to do with the SQS message once a record is handled. */
export type Outcome =
  | { action: "delete"; reason: string }
  /** Leave it on the queue, invisible for this long (a retry's backoff, or until another worker's lease ends). */
  | { action: "retry"; visibilitySeconds: number; reason: string };

export interface ProcessOptions {
  queue: string;
  /**
   * The queue's cap is 1: a task runs only while it holds the queue's slot in the database. The
   * event source still lets 2 workers poll (its minimum), so the second one, finding the slot
   * taken, defers its message like during a database outage (see `defer`): no receive is used up,
   * nothing is throttled, nothing reaches the DLQ for waiting its turn.
   */
  oneAtATime?: boolean;
  /** Milliseconds until the Lambda's hard timeout. */
  remainingMs: () => number;
  logger: Logger;
  random?: () => number;
  /** For tests: how the outcome write waits between tries. */
  sleep?: (ms: number) => Promise<void>;
}

/** When even SQS cannot take a fresh message: the old one comes back after this long (one receive used). */
const FALLBACK_RETRY_SECONDS = 15;
/** Deferrals while the database is away: 5 s, 10 s, 20 s, 40 s, then every 60 s (jittered), for as long as it takes. */
const DEFERRAL_BASE_SECONDS = 5;
const DEFERRAL_MAX_SECONDS = 60;
/** A carried outcome comes back soon: it must be recorded before the attempt's lease ends. */
const CARRIED_OUTCOME_DELAY_SECONDS = 5;
/** Kept free when the outcome write gives up: enough to send the outcomes in fresh messages. */
const SEND_RESERVE_MS = 1_500;
/** A message whose handling hit a bug: tried again later, as SQS would. */
const WORKER_ERROR: Outcome = { action: "retry", visibilitySeconds: 30, reason: "worker error" };

/** How the outcome writes retry while the database is away: as long as the Lambda has time. */
const deadline = (options: ProcessOptions) => ({
  remainingMs: options.remainingMs,
  reserveMs: SEND_RESERVE_MS,
  sleep: options.sleep,
});

/** A parsed message and its place in the batch. */
interface Entry {
  index: number;
  message: TaskMessage;
  /** The task id in lower case, as the claim answers it. */
  id: string;
}
type Claimer = (db: TaskDeps["db"], ids: string[], leaseSeconds: number) => Promise<Map<string, ClaimResult>>;

/**
 * One SQS message → at most one run of its task. The task row decides; the message is only a
 * wake-up. The claim in the database, not SQS, decides whether this delivery runs: duplicates,
 * redeliveries after a crash and messages of finished or cancelled tasks are recognised there.
 * This is a batch of one; see `processBatch`.
 */
export async function processMessage(deps: TaskDeps, body: string, options: ProcessOptions): Promise<Outcome> {
  const [outcome] = await processBatch(deps, [body], options);
  return outcome ?? WORKER_ERROR;
}

/**
 * An SQS batch → one outcome per message, in order. Like Celery's prefetch, the batch's tasks are
 * claimed together (one statement), run one after another, and their outcomes recorded together
 * (one statement): two Data API calls for a batch whose tasks all run and succeed. A task named by
 * several messages of the batch runs once; the other messages are dropped, the first one stands
 * for the task. Every claim's lease runs past the Lambda's hard timeout, so it covers the whole
 * batch, the last task's bookkeeping included.
 *
 * A queue whose cap is 1 claims one task at a time with the queue's slot (only one task can hold
 * it, so claiming the others up front would only defer them): each message is a batch of its own.
 *
 * A database outage of any length neither dead-letters a task nor uses up its attempts:
 * - Before the claim, a message is not failed back to SQS (which would use one receive and,
 *   after maxReceiveCount, dead-letter it while the row still says `queued`). The worker sends a
 *   fresh copy with a growing delay and deletes this one. A fresh message starts at receive count
 *   0, so an outage of an hour is just more deferrals. If the delete is lost, two copies exist;
 *   the claim runs the task once. If SQS too is down, the message is retried the old way, and
 *   should it end in the DLQ anyway, the beat's reconciler (tasks/reconcile.ts) re-wakes the row.
 * - After the runs, the outcome write is retried with backoff while the Lambda has time. If it
 *   still fails, each outcome rides in a fresh message of its own (see `settle`), so no task is
 *   run again.
 * - An outage inside a task's own code ends its attempt as "released": back to retrying, and not
 *   counted against the task's attempts.
 *
 * What batching costs: outcomes are written when the batch ends, so a worker killed mid-batch (out
 * of memory, hard timeout) loses the outcomes of the tasks it had already run; their leases run
 * out and they run again, as a crash of a batch of one repeats its one task.
 */
export async function processBatch(
  deps: TaskDeps,
  bodies: readonly string[],
  options: ProcessOptions,
): Promise<Outcome[]> {
  const outcomes: (Outcome | undefined)[] = new Array<Outcome | undefined>(bodies.length);
  const entries: Entry[] = [];
  for (const [index, body] of bodies.entries()) {
    const message = parseTaskMessage(body);
    if (message) {
      entries.push({ index, message, id: message.taskId.toLowerCase() });
      continue;
    }
    outcomes[index] = await guarded(options, undefined, async () => {
      await sendToDeadLetters(deps, options.queue, body, "malformed message");
      return { action: "delete", reason: "malformed message sent to the dead-letter queue" };
    });
  }
  try {
    if (options.oneAtATime) {
      const claimOne: Claimer = async (db, [id], lease) =>
        new Map([[id!, await claimTask(db, id!, lease, { oneAtATime: true })]]);
      for (const entry of entries) await processTogether(deps, [entry], options, outcomes, claimOne);
    } else {
      await processTogether(deps, entries, options, outcomes, claimTasks);
    }
  } catch (error) {
    options.logger.error("Unexpected worker error", { error: error as Error });
  }
  return outcomes.map((outcome) => outcome ?? WORKER_ERROR);
}

/** Handles one message's step; a bug there costs that message a retry, not the batch. */
async function guarded(
  options: ProcessOptions,
  message: TaskMessage | undefined,
  work: () => Promise<Outcome>,
): Promise<Outcome> {
  try {
    return await work();
  } catch (error) {
    options.logger.error("Unexpected worker error", { error: error as Error, taskId: message?.taskId });
    return WORKER_ERROR;
  }
}

async function processTogether(
  deps: TaskDeps,
  entries: Entry[],
  options: ProcessOptions,
  outcomes: (Outcome | undefined)[],
  claim: Claimer,
): Promise<void> {
  const each = (list: Entry[], work: (entry: Entry) => Promise<Outcome>) =>
    Promise.all(
      list.map(
        async (entry) => void (outcomes[entry.index] = await guarded(options, entry.message, () => work(entry))),
      ),
    );

  // Runs whose outcome could not be written: record them now instead of running the tasks again.
  const settled = new Set<string>();
  let wakeUps = entries;
  const carried = firstPerTask(entries.filter((entry) => entry.message.outcome));
  if (carried.length > 0) {
    wakeUps = entries.filter((entry) => !carried.includes(entry));
    let recorded: Set<string>;
    try {
      const rows = carried.map((entry) => ({ id: entry.id, ...entry.message.outcome! }));
      recorded = await writeWithDeadline(() => recordOutcomes(deps.db, rows), deadline(options));
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      await each(carried, (entry) => defer(deps, entry.message, options, "database unavailable"));
      for (const entry of carried) settled.add(entry.id);
      recorded = new Set();
    }
    const done = carried.filter((entry) => recorded.has(entry.id));
    for (const entry of done) settled.add(entry.id);
    await each(done, (entry) => afterRecorded(deps, entry.message, entry.message.outcome!, options));
    // The row moved on (already recorded, or another attempt took over): an ordinary wake-up.
    wakeUps = [...wakeUps, ...carried.filter((entry) => !settled.has(entry.id))];
  }

  // One message per task goes on; the others of the batch are dropped: the first stands for the task.
  const leads: Entry[] = [];
  const seen = new Set<string>(settled);
  for (const entry of wakeUps) {
    if (!seen.has(entry.id)) {
      seen.add(entry.id);
      leads.push(entry);
    } else if (outcomes[entry.index] === undefined) {
      outcomes[entry.index] = { action: "delete", reason: "duplicate of another message in this batch" };
    }
  }
  if (leads.length === 0) return;

  const leaseSeconds = Math.ceil(options.remainingMs() / 1000) + 10;
  let claims: Map<string, ClaimResult>;
  try {
    claims = await claim(
      deps.db,
      leads.map((entry) => entry.id),
      leaseSeconds,
    );
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    await each(leads, (entry) => defer(deps, entry.message, options, "database unavailable"));
    return;
  }

  const ran: Entry[] = [];
  const ends: AttemptEnd[] = [];
  let first = true;
  for (const entry of leads) {
    const result = claims.get(entry.id) ?? { claimed: false, status: "missing" };
    if (!result.claimed) {
      outcomes[entry.index] = await guarded(options, entry.message, () =>
        notClaimed(deps, entry.message, result, options),
      );
      continue;
    }
    try {
      const attempt = await runAttempt(deps, entry.message, result, options, first);
      if (attempt.ran) first = false;
      ran.push(entry);
      ends.push(attempt.end);
    } catch (error) {
      options.logger.error("Unexpected worker error", { error: error as Error, taskId: entry.message.taskId });
      outcomes[entry.index] = WORKER_ERROR;
    }
  }
  if (ran.length > 0) await settle(deps, ran, ends, options, outcomes, each);
}

function firstPerTask(entries: Entry[]): Entry[] {
  const seen = new Set<string>();
  return entries.filter((entry) => !seen.has(entry.id) && Boolean(seen.add(entry.id)));
}

/** A delivery that did not win the claim: the task runs elsewhere, ended, or waits for its queue's slot. */
type Unclaimed = Exclude<ClaimResult, { claimed: true }>;

async function notClaimed(
  deps: TaskDeps,
  message: TaskMessage,
  claim: Unclaimed,
  options: ProcessOptions,
): Promise<Outcome> {
  // Another task of this one-at-a-time queue runs: its turn comes later, at no cost in receives.
  if (claim.status === "queue busy") return defer(deps, message, options, "queue busy");
  if (claim.status === "running" && claim.leaseExpiresAt) {
    // Another delivery of this message is running the task: come back when its lease ends.
    const wait = Math.ceil((Date.parse(claim.leaseExpiresAt) - deps.now().getTime()) / 1000) + 5;
    return { action: "retry", visibilitySeconds: Math.max(5, Math.min(wait, 43_200)), reason: "task already running" };
  }
  return { action: "delete", reason: `task is ${claim.status}` };
}

/**
 * The database is away, or the task's one-at-a-time queue is busy: the same wake-up again, later,
 * as a fresh message (receive count 0).
 */
type DeferReason = "database unavailable" | "queue busy";

async function defer(
  deps: TaskDeps,
  message: TaskMessage,
  options: ProcessOptions,
  why: DeferReason,
): Promise<Outcome> {
  const deferrals = (message.deferrals ?? 0) + 1;
  const because = why === "queue busy" ? "Another task of this one-at-a-time queue is running" : "Database unavailable";
  const ceiling = Math.min(DEFERRAL_MAX_SECONDS, DEFERRAL_BASE_SECONDS * 2 ** (deferrals - 1));
  // Equal jitter: when the database is back, the waiting tasks do not all arrive in the same second.
  const delay = Math.max(1, Math.round(ceiling / 2 + (options.random ?? Math.random)() * (ceiling / 2)));
  try {
    await sendTaskMessage(deps, options.queue, { ...message, deferrals }, delay);
  } catch (error) {
    options.logger.warn(`${because}, and SQS unavailable; the message will be retried`, { error: error as Error });
    return { action: "retry", visibilitySeconds: FALLBACK_RETRY_SECONDS, reason: why };
  }
  options.logger.warn(`${because}; the task is woken again later`, {
    taskId: message.taskId,
    deferrals,
    delaySeconds: delay,
  });
  return { action: "delete", reason: `${why}; deferred` };
}

/**
 * Writes how the batch's attempts ended, in one statement, retrying while the database is away
 * and the Lambda has time.
 *
 * If the write still fails, the tasks ran but their rows say `running` under the attempts' leases.
 * Failing the messages back would bring them round again and, once the leases ended, the claim
 * would run the tasks a second time. So each outcome itself travels instead: a fresh message
 * carrying it (with the attempt it ends) replaces the original, and whichever worker receives it
 * records the outcome rather than claiming. It comes back in seconds and is deferred like any
 * wake-up while the outage lasts, so it is recorded within a deferral (at most a minute) of the
 * database's return. The reconciler only notes such a task at its first look after the outage and
 * wakes it a stale period later (tasks/reconcile.ts), so the carried outcome lands first. The
 * recording names the attempt, so if another attempt did take over meanwhile, the carried outcome
 * is dropped. Only two cases fall back to failing the message back (and so to a possible second
 * run once the lease ends): a result too large for an SQS message (256 KiB), and SQS refusing the
 * send too.
 */
async function settle(
  deps: TaskDeps,
  entries: Entry[],
  ends: AttemptEnd[],
  options: ProcessOptions,
  outcomes: (Outcome | undefined)[],
  each: (list: Entry[], work: (entry: Entry) => Promise<Outcome>) => Promise<unknown>,
): Promise<void> {
  const rows = entries.map((entry, i) => ({ id: entry.id, ...ends[i]! }));
  try {
    await writeWithDeadline(() => recordOutcomes(deps.db, rows), deadline(options));
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    await each(entries, (entry) => carry(deps, entry.message, carriable(ends[entries.indexOf(entry)]!), options));
    return;
  }
  // Most outcomes need nothing more than a log line; the rest send a message first.
  const sending: Entry[] = [];
  for (const [i, entry] of entries.entries()) {
    const outcome = settledOutcome(entry.message, ends[i]!, options.logger);
    if (outcome) outcomes[entry.index] = outcome;
    else sending.push(entry);
  }
  if (sending.length > 0)
    await each(sending, (entry) => afterRecorded(deps, entry.message, ends[entries.indexOf(entry)]!, options));
}

/** A task given back unstarted travels like an attempt the outage interrupted: released, not counted. */
function carriable(end: AttemptEnd): PendingOutcome {
  return end.status === "returned"
    ? { attempt: end.attempt, status: "released", retryInSeconds: end.retryInSeconds }
    : end;
}

/** The outcome of a recorded attempt that needs no message sent; undefined for the others (see afterRecorded). */
function settledOutcome(message: TaskMessage, end: AttemptEnd, logger: Logger): Outcome | undefined {
  switch (end.status) {
    case "succeeded":
      logger.info("Task succeeded", { taskId: message.taskId, task: message.name, attempt: end.attempt });
      return { action: "delete", reason: "succeeded" };
    case "retrying":
    case "released":
      // The message comes back after the backoff. Should it still carry this outcome, recording
      // it again finds the row `retrying`, not `running`, and the delivery claims the next attempt.
      return {
        action: "retry",
        visibilitySeconds: end.retryInSeconds,
        reason: end.status === "retrying" ? "retrying" : "database unavailable during the run",
      };
    case "failed":
    case "returned":
      return undefined;
  }
}

async function afterRecorded(
  deps: TaskDeps,
  message: TaskMessage,
  end: AttemptEnd,
  options: ProcessOptions,
): Promise<Outcome> {
  switch (end.status) {
    case "failed": {
      const wakeUp: TaskMessage = { taskId: message.taskId, name: message.name };
      await sendToDeadLetters(deps, options.queue, JSON.stringify(wakeUp), end.error);
      options.logger.error("Task failed", {
        taskId: message.taskId,
        task: message.name,
        attempt: end.attempt,
        error: end.error,
      });
      return { action: "delete", reason: "failed; sent to the dead-letter queue" };
    }
    case "returned":
      return wakeAgain(deps, message, options);
    case "succeeded":
    case "retrying":
    case "released":
      return settledOutcome(message, end, options.logger) as Outcome;
  }
}

/** A task the batch had no time left for: a fresh wake-up (receive count 0) replaces its message. */
async function wakeAgain(deps: TaskDeps, message: TaskMessage, options: ProcessOptions): Promise<Outcome> {
  try {
    await sendTaskMessage(deps, options.queue, { taskId: message.taskId, name: message.name });
  } catch (error) {
    options.logger.warn("SQS unavailable; the message will be retried", {
      error: error as Error,
      taskId: message.taskId,
    });
    return { action: "retry", visibilitySeconds: 1, reason: "not started: the batch ran out of time" };
  }
  return { action: "delete", reason: "not started: the batch ran out of time; woken again" };
}

async function carry(
  deps: TaskDeps,
  message: TaskMessage,
  outcome: PendingOutcome,
  options: ProcessOptions,
): Promise<Outcome> {
  const carried: TaskMessage = { taskId: message.taskId, name: message.name, outcome };
  if (Buffer.byteLength(JSON.stringify(carried)) > MAX_MESSAGE_BYTES) {
    options.logger.error("Outcome not recorded and too large to carry; the task may run again when its lease ends", {
      taskId: message.taskId,
    });
    return { action: "retry", visibilitySeconds: FALLBACK_RETRY_SECONDS, reason: "outcome not recorded" };
  }
  try {
    await sendTaskMessage(deps, options.queue, carried, CARRIED_OUTCOME_DELAY_SECONDS);
  } catch (error) {
    options.logger.error(
      "Outcome not recorded and SQS refused to carry it; the task may run again when its lease ends",
      {
        error: error as Error,
      },
    );
    return { action: "retry", visibilitySeconds: FALLBACK_RETRY_SECONDS, reason: "outcome not recorded" };
  }
  options.logger.warn("Database unavailable; the outcome travels in a fresh message", {
    taskId: message.taskId,
    status: outcome.status,
  });
  return { action: "delete", reason: "outcome carried in a fresh message" };
}
