import type { Pool, PoolClient } from "pg";
import { pgText, type Backend, type Session, type TransactionSession } from "./backend.js";
import type { QueryOutput } from "./types.js";

/** A real PostgreSQL server behind a node-postgres pool, for when embedded PGlite is not enough. */
export async function postgresBackend(options: {
  connectionString: string;
  log?: (line: string) => void;
}): Promise<Backend> {
  const log = options.log ?? (() => undefined);
  const { Pool: PoolClass } = await import("pg");
  const pool: Pool = new PoolClass({
    connectionString: options.connectionString,
    max: 10,
    // Aurora answers timestamptz in UTC; one zone on every connection keeps the text output the same.
    options: "-c TimeZone=UTC",
    // Every value stays PostgreSQL's text, so both backends convert results the same way.
    types: { getTypeParser: (() => (value: string) => value) as never },
  });
  // A dropped idle connection must not take the whole stand-in down.
  pool.on("error", (error) => log(`idle PostgreSQL connection failed: ${error.message}`));
  const lost = new WeakSet<PoolClient>();
  const watched = new WeakSet<PoolClient>();

  /**
   * Borrows a connection that cannot crash the process: node-postgres emits `error` on a checked-out
   * client whose server process ends (pg_terminate_backend, a restart), and an unheard `error` event
   * kills Node. The connection is remembered as lost and destroyed on release instead of reused.
   */
  const borrow = async (): Promise<PoolClient> => {
    const client = await pool.connect();
    if (!watched.has(client)) {
      watched.add(client);
      client.on("error", (error) => {
        lost.add(client);
        log(`PostgreSQL connection lost: ${error.message}`);
      });
    }
    return client;
  };
  const giveBack = (client: PoolClient, error?: unknown) => {
    client.release(lost.has(client) ? new Error("connection lost") : (error as Error | undefined));
  };

  const sessionOn = (client: PoolClient): Session => {
    const processId = (client as unknown as { processID?: number }).processID;
    return {
      processId,
      query: async (text, values) => {
        // A transaction whose connection died answers as an unavailable database (see errors.ts networkCodes).
        if (lost.has(client))
          throw Object.assign(new Error("The connection to the database was lost"), { code: "ECONNRESET" });
        try {
          return toOutput(await client.query({ text, values, rowMode: "array" }));
        } catch (error) {
          // pg_terminate_backend fails a running query with 57P01; a query on an already broken client has no code.
          const code = (error as { code?: string }).code;
          if (lost.has(client) && code === undefined)
            throw Object.assign(new Error((error as Error).message), { code: "ECONNRESET" });
          throw error;
        }
      },
      cancel: async () => {
        if (processId !== undefined) await pool.query("SELECT pg_cancel_backend($1)", [processId]);
      },
    };
  };

  return {
    name: "postgres",
    async withSession(work) {
      const client = await borrow();
      try {
        return await work(sessionOn(client));
      } finally {
        giveBack(client);
      }
    },
    async begin(): Promise<TransactionSession> {
      const client = await borrow();
      try {
        await client.query("BEGIN");
      } catch (error) {
        giveBack(client, error);
        throw error;
      }
      let open = true;
      const end = async (sql: string) => {
        if (!open) return;
        open = false;
        if (lost.has(client)) {
          giveBack(client);
          throw Object.assign(new Error("The connection to the database was lost"), { code: "ECONNRESET" });
        }
        try {
          await client.query(sql);
          giveBack(client);
        } catch (error) {
          // A connection that failed mid-commit is not handed to the next caller.
          giveBack(client, error);
          throw error;
        }
      };
      return { ...sessionOn(client), commit: () => end("COMMIT"), rollback: () => end("ROLLBACK") };
    },
    close: () => pool.end(),
  };
}

function toOutput(result: {
  rows: unknown[];
  fields?: { name: string; dataTypeID: number; tableID: number; columnID: number; dataTypeModifier: number }[];
  rowCount: number | null;
  command: string;
}): QueryOutput {
  const command = result.command;
  return {
    rows: (result.rows as unknown[][]).map((row) => row.map(pgText)),
    fields: (result.fields ?? []).map((field) => ({
      name: field.name,
      typeId: field.dataTypeID,
      tableId: field.tableID,
      columnId: field.columnID,
      typeModifier: field.dataTypeModifier,
    })),
    // rowCount is the number of rows returned for SELECT; only data changes count as updated records.
    affectedRows: ["INSERT", "UPDATE", "DELETE", "MERGE", "COPY"].includes(command) ? (result.rowCount ?? 0) : 0,
    command,
  };
}
