import type { PGlite } from "@electric-sql/pglite";
import { pgText, type Backend, type Session, type TransactionSession } from "./backend.js";
import type { QueryOutput } from "./types.js";

/** Embedded PostgreSQL (PGlite): kept in `dataDir` when given, in memory otherwise. */
export async function pgliteBackend(
  options: { dataDir?: string; log?: (line: string) => void } = {},
): Promise<Backend> {
  const log = options.log ?? (() => undefined);
  const { PGlite, protocol } = await import("@electric-sql/pglite");
  const db: PGlite = await PGlite.create(options.dataDir);
  // Aurora answers timestamptz in UTC; one session-wide zone keeps the text output the same.
  await db.exec("SET TIME ZONE 'UTC'");
  const lock = exclusive(log);

  const session: Session = {
    async query(text, values) {
      // PGlite parses values into JS types by default; keeping PostgreSQL's text lets both backends convert alike.
      const parsers = Object.fromEntries(Object.keys(db.parsers).map((oid) => [oid, (value: string) => value]));
      const result = await db.query<unknown[]>(text, values, { rowMode: "array", parsers });
      return toOutput(result);
    },
    async describeColumns(text) {
      // PGlite's query() drops RowDescription's table and type modifier; a Parse/Describe round has them.
      const { serialize } = protocol;
      const message = Buffer.concat([serialize.parse({ text }), serialize.describe({ type: "S" }), serialize.sync()]);
      const { messages } = await db.execProtocol(new Uint8Array(message));
      const description = messages.find((m) => m.name === "rowDescription") as
        { fields?: { tableID: number; columnID: number; dataTypeModifier: number }[] } | undefined;
      return (description?.fields ?? []).map((f) => ({
        tableId: f.tableID,
        columnId: f.columnID,
        typeModifier: f.dataTypeModifier,
      }));
    },
  };

  return {
    name: "pglite",
    async withSession(work) {
      const release = await lock();
      try {
        return await work(session);
      } finally {
        // A bare BEGIN sent through ExecuteStatement would otherwise capture every later caller's statements.
        if (db.isInTransaction()) {
          log("rolled back a transaction opened by a statement outside BeginTransaction");
          await db.exec("ROLLBACK").catch(() => undefined);
        }
        release();
      }
    },
    async begin(): Promise<TransactionSession> {
      // PGlite is one connection: the transaction holds it until it ends, and everything else queues behind.
      const release = await lock();
      try {
        await db.exec("BEGIN");
      } catch (error) {
        release();
        throw error;
      }
      let open = true;
      const end = async (sql: string) => {
        if (!open) return;
        open = false;
        try {
          await db.exec(sql);
        } finally {
          release();
        }
      };
      return { ...session, commit: () => end("COMMIT"), rollback: () => end("ROLLBACK") };
    },
    close: () => db.close(),
  };
}

function toOutput(result: {
  rows: unknown[][];
  fields: { name: string; dataTypeID: number; tableID?: number; columnID?: number; dataTypeModifier?: number }[];
  affectedRows?: number;
  command?: string;
}): QueryOutput {
  return {
    rows: result.rows.map((row) => row.map(pgText)),
    fields: result.fields.map((field) => ({
      name: field.name,
      typeId: field.dataTypeID,
      tableId: field.tableID,
      columnId: field.columnID,
      typeModifier: field.dataTypeModifier,
    })),
    affectedRows: result.affectedRows ?? 0,
    command: result.command,
  };
}

/** A FIFO mutex; a caller stuck behind a transaction for long is logged, as that usually means a forgotten commit. */
function exclusive(log: (line: string) => void): () => Promise<() => void> {
  let tail: Promise<void> = Promise.resolve();
  return async () => {
    let release!: () => void;
    const previous = tail;
    tail = new Promise((resolve) => (release = resolve));
    const warn = setTimeout(
      () => log("a statement has waited 5 s for an open transaction (PGlite has a single connection)"),
      5_000,
    );
    warn.unref();
    await previous;
    clearTimeout(warn);
    return release;
  };
}
