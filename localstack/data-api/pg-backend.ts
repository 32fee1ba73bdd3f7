import type { Pool, PoolClient } from "pg";
import type { Backend, Session, TransactionSession } from "./backend.js";
import type { QueryOutput } from "./types.js";

/** A real PostgreSQL server behind a node-postgres pool, for when embedded PGlite is not enough. */
export async function postgresBackend(options: { connectionString: string; log?: (line: string) => void }): Promise<Backend> {
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

  const sessionOn = (client: PoolClient): Session => {
    const processId = (client as unknown as { processID?: number }).processID;
    return {
      processId,
      query: async (text, values) => toOutput(await client.query({ text, values, rowMode: "array" })),
      cancel: async () => {
        if (processId !== undefined) await pool.query("SELECT pg_cancel_backend($1)", [processId]);
      },
    };
  };

  return {
    name: "postgres",
    async withSession(work) {
      const client = await pool.connect();
      try {
        return await work(sessionOn(client));
      } finally {
        client.release();
      }
    },
    async begin(): Promise<TransactionSession> {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
      let open = true;
      const end = async (sql: string) => {
        if (!open) return;
        open = false;
        try {
          await client.query(sql);
          client.release();
        } catch (error) {
          // A connection that failed mid-commit is not handed to the next caller.
          client.release(error as Error);
          throw error;
        }
      };
      return { ...sessionOn(client), commit: () => end("COMMIT"), rollback: () => end("ROLLBACK") };
    },
    close: () => pool.end(),
  };
}

function toOutput(result: { rows: unknown[]; fields?: { name: string; dataTypeID: number }[]; rowCount: number | null; command: string }): QueryOutput {
  const command = result.command;
  return {
    rows: (result.rows as unknown[][]).map((row) => row.map((value) => (value === null || value === undefined ? null : String(value)))),
    fields: (result.fields ?? []).map((field) => ({ name: field.name, typeId: field.dataTypeID })),
    // rowCount is the number of rows returned for SELECT; only data changes count as updated records.
    affectedRows: ["INSERT", "UPDATE", "DELETE", "MERGE", "COPY"].includes(command) ? (result.rowCount ?? 0) : 0,
    command,
  };
}
