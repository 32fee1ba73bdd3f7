import pg from "pg";
import type { TestContext } from "vitest";

/**
 * Tools for tests that prove a guard holds when calls really run at the same time. Calls fired in a
 * loop reach PostgreSQL milliseconds apart while each statement takes a fraction of one, so they
 * barely overlap. Instead a second connection (beside the Data API) holds a lock every call needs;
 * the calls are sent, we wait until PostgreSQL shows all of them queued on that lock, and only then
 * is it released, so they all go at once.
 */

/**
 * The test database's own PostgreSQL URL, or the test is reported skipped with the reason. That only
 * happens off CI on a machine without PostgreSQL, where embedded PGlite has one connection and nothing
 * can overlap; on CI the unit tier's global setup refuses to start without PostgreSQL.
 */
export function postgresUrlOrSkip(context: TestContext, database: { url: string | undefined }): string {
  if (database.url) return database.url;
  return context.skip("needs a PostgreSQL server (embedded PGlite has one connection, so nothing can overlap)");
}

export interface Statement {
  sql: string;
  values?: unknown[];
}

export interface Race<T> {
  /** Each call's outcome, in the order the calls were made. */
  results: PromiseSettledResult<T>[];
  /** How many calls PostgreSQL showed waiting on the lock at once before it was released. */
  queued: number;
  /** How many calls had already finished before the release (0 when they all really waited). */
  finishedBeforeRelease: number;
}

export interface RaceOptions {
  /** How the lock holder ends: commit, or roll back what it did (the default). */
  release?: "commit" | "rollback";
  /** How long to wait for all calls to queue before releasing anyway (the test then fails on `queued`). */
  queueTimeoutMs?: number;
}

/**
 * Runs `calls` concurrent calls behind a barrier: `hold` runs first in an open transaction on a
 * connection of its own (e.g. `LOCK TABLE tasks IN SHARE MODE`, or `SELECT … FOR UPDATE`), the calls
 * are started, and the transaction ends once all of them wait on it, or all that did not finish do.
 */
export async function raceBehindLock<T>(
  databaseUrl: string,
  hold: Statement[],
  calls: number,
  call: (index: number) => Promise<T>,
  options: RaceOptions = {},
): Promise<Race<T>> {
  const holder = await openTransaction(databaseUrl, hold);
  const watcher = new pg.Client({ connectionString: databaseUrl });
  let finished = 0;
  try {
    await watcher.connect();
    const started = Array.from({ length: calls }, (_, index) =>
      call(index).finally(() => {
        finished++;
      }),
    );
    const outcomes = Promise.allSettled(started);
    const queued = await waitUntilQueued(watcher, calls, () => finished, options.queueTimeoutMs ?? 20_000);
    const finishedBeforeRelease = finished;
    await holder.end(options.release ?? "rollback");
    return { results: await outcomes, queued, finishedBeforeRelease };
  } finally {
    await holder.end("rollback");
    await watcher.end().catch(() => undefined);
  }
}

/** The fulfilled values, failing the test with the first rejection's reason if any call failed. */
export function fulfilledValues<T>(results: PromiseSettledResult<T>[]): T[] {
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

interface HeldTransaction {
  end(how: "commit" | "rollback"): Promise<void>;
}

async function openTransaction(databaseUrl: string, statements: Statement[]): Promise<HeldTransaction> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let open = true;
  const end = async (how: "commit" | "rollback") => {
    if (!open) return;
    open = false;
    try {
      await client.query(how === "commit" ? "COMMIT" : "ROLLBACK");
    } finally {
      await client.end();
    }
  };
  try {
    await client.query("BEGIN");
    for (const statement of statements) await client.query(statement.sql, statement.values);
  } catch (error) {
    await end("rollback").catch(() => undefined);
    throw error;
  }
  return { end };
}

/**
 * Polls PostgreSQL until `expected` backends of this database wait on a lock, or every call that is
 * not waiting has finished (it never needed the lock), or time runs out. Returns the most seen at once.
 */
async function waitUntilQueued(
  watcher: pg.Client,
  expected: number,
  finished: () => number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let most = 0;
  for (;;) {
    const { rows } = await watcher.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    );
    const waiting = rows[0]?.waiting ?? 0;
    most = Math.max(most, waiting);
    if (waiting >= expected || waiting + finished() >= expected || Date.now() > deadline) return most;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
