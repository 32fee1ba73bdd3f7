import { statementTimeout } from "./errors.js";
import type { Session } from "./backend.js";

export interface Deadline {
  expired: boolean;
  continueAfterTimeout: boolean;
  /** The connection the statement runs on, once it has one: what a timeout cancels. */
  session?: Session;
}

/**
 * Aurora's limit on one call: past it the caller gets StatementTimeoutException and the statement is
 * cancelled unless continueAfterTimeout. The connection stays held until the statement really ends,
 * so a cancelled or continuing statement never shares it with the next call.
 */
export const deadlines =
  (statementMs: number) =>
  async <T>(continueAfterTimeout: boolean, work: (deadline: Deadline) => Promise<T>): Promise<T> => {
    const deadline: Deadline = { expired: false, continueAfterTimeout };
    const started = Date.now();
    const call = work(deadline);
    // Once the call has answered with a timeout, the statement's own outcome has nobody to report to.
    call.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        deadline.expired = true;
        if (!continueAfterTimeout) void deadline.session?.cancel?.().catch(() => undefined);
        reject(statementTimeout(deadline.session?.processId));
      }, statementMs);
    });
    try {
      const result = await Promise.race([call, timeout]);
      // PGlite runs on this thread and cannot be interrupted, so its overruns are noticed afterwards.
      if (Date.now() - started > statementMs) throw statementTimeout(deadline.session?.processId);
      return result;
    } finally {
      clearTimeout(timer);
    }
  };
