import { isUnavailable } from "../core/db/unavailable.js";

export interface DeadlineOptions {
  /** Milliseconds until the Lambda's hard timeout (context.getRemainingTimeInMillis). */
  remainingMs: () => number;
  /** Kept free after the last try: what the caller still needs if every try fails. */
  reserveMs: number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 4_000;

/**
 * Runs a database write, and while the database is unavailable runs it again with doubling delays
 * (0.2 s, 0.4 s, … 4 s) for as long as the Lambda has time left: a paused Aurora Serverless v2
 * resumes in about 15 s, so a short outage costs a wait, not a run. Other errors are thrown at once;
 * when time runs out the last "unavailable" error is thrown and the caller falls back.
 */
export async function writeWithDeadline<T>(write: () => Promise<T>, options: DeadlineOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let delay = FIRST_DELAY_MS;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (!isUnavailable(error) || options.remainingMs() - options.reserveMs < delay) throw error;
    }
    await sleep(delay);
    delay = Math.min(MAX_DELAY_MS, delay * 2);
  }
}
