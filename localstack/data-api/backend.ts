import type { QueryOutput } from "./types.js";

/** A connection to run statements on: a borrowed one for a single call, or a transaction's own. */
export interface Session {
  /** Runs one statement with positional ($1…) parameters. */
  query(text: string, values: unknown[]): Promise<QueryOutput>;
  /** Asks PostgreSQL to stop the statement running on this connection; absent where it cannot (PGlite). */
  cancel?(): Promise<void>;
  /**
   * RowDescription's origin of each result column, for backends whose query results leave it out
   * (PGlite); asked only when the caller wants columnMetadata.
   */
  describeColumns?(
    text: string,
  ): Promise<Pick<QueryOutput["fields"][number], "tableId" | "columnId" | "typeModifier">[]>;
  /** The server process id, reported as dbConnectionId on a statement timeout. */
  readonly processId?: number;
}

export interface TransactionSession extends Session {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface Backend {
  readonly name: "pglite" | "postgres";
  /**
   * Runs `work` outside any transaction on a connection held for its duration (on PGlite, the only
   * connection: the call waits for an open transaction to end).
   */
  withSession<T>(work: (session: Session) => Promise<T>): Promise<T>;
  /** Opens a transaction on a connection of its own, held until commit or rollback. */
  begin(): Promise<TransactionSession>;
  close(): Promise<void>;
}

/**
 * A column value as PostgreSQL's text output, which is what both backends are asked to return (no
 * type parsers). Anything else means a parser slipped in: fail loudly rather than answer "[object Object]".
 */
export function pgText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  throw new TypeError(`The backend returned a ${typeof value} instead of PostgreSQL's text output`);
}
