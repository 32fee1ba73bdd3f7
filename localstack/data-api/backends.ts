import type { PGlite } from "@electric-sql/pglite";
import type { Pool, PoolClient } from "pg";
import { pgTypes, type QueryOutput } from "./types.js";

/** A place to run SQL: the shared connection, or one transaction's own. */
export interface Session {
  query(text: string, values: unknown[]): Promise<QueryOutput>;
}

export interface Backend {
  readonly name: "pglite" | "postgres";
  /** Runs one statement outside any transaction. */
  run(text: string, values: unknown[]): Promise<QueryOutput>;
  begin(): Promise<TransactionSession>;
  close(): Promise<void>;
}

export interface TransactionSession extends Session {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

// Every value is handed over as PostgreSQL's text, so both backends format results the same way.
const asText = Object.fromEntries([...Object.keys(pgTypes).map(Number), 1001, 1182, 1183, 1115, 1185, 199, 3807, 2951].map((oid) => [oid, (x: string) => x]));

export async function pgliteBackend(dataDir?: string): Promise<Backend> {
  const { PGlite } = await import("@electric-sql/pglite");
  const db: PGlite = await PGlite.create(dataDir);
  await db.exec("SET TIME ZONE 'UTC'");
  // PGlite is one connection: a transaction holds it until it ends, and everything else queues behind.
  let lock: Promise<void> = Promise.resolve();
  const acquire = async (): Promise<() => void> => {
    let release!: () => void;
    const previous = lock;
    lock = new Promise((resolve) => (release = resolve));
    await previous;
    return release;
  };
  const query = async (text: string, values: unknown[]): Promise<QueryOutput> => {
    const result = await db.query<unknown[]>(text, values, { rowMode: "array", parsers: asText });
    return {
      rows: result.rows.map((row) => row.map((value) => (value === null || value === undefined ? null : String(value)))),
      fields: result.fields.map((field) => ({ name: field.name, typeId: field.dataTypeID })),
      affectedRows: result.affectedRows ?? 0,
      command: result.command,
    };
  };
  return {
    name: "pglite",
    async run(text, values) {
      const release = await acquire();
      try {
        return await query(text, values);
      } finally {
        release();
      }
    },
    async begin() {
      const release = await acquire();
      await query("BEGIN", []).catch((error: unknown) => {
        release();
        throw error;
      });
      let open = true;
      const end = async (sql: string) => {
        if (!open) return;
        open = false;
        try {
          await query(sql, []);
        } finally {
          release();
        }
      };
      return { query, commit: () => end("COMMIT"), rollback: () => end("ROLLBACK") };
    },
    close: () => db.close(),
  };
}

export async function postgresBackend(connectionString: string): Promise<Backend> {
  const pg = await import("pg");
  const PoolClass = (pg.default?.Pool ?? (pg as unknown as { Pool: typeof Pool }).Pool) as typeof Pool;
  const pool = new PoolClass({
    connectionString,
    max: 10,
    options: "-c TimeZone=UTC",
    types: { getTypeParser: () => (value: string) => value } as never,
  });
  const query = async (client: Pool | PoolClient, text: string, values: unknown[]): Promise<QueryOutput> => {
    const result = await client.query({ text, values, rowMode: "array" });
    return {
      rows: (result.rows as unknown[][]).map((row) => row.map((value) => (value === null ? null : String(value)))),
      fields: (result.fields ?? []).map((field) => ({ name: field.name, typeId: field.dataTypeID })),
      affectedRows: result.rowCount ?? 0,
      command: result.command,
    };
  };
  return {
    name: "postgres",
    run: (text, values) => query(pool, text, values),
    async begin() {
      const client = await pool.connect();
      await client.query("BEGIN");
      let open = true;
      const end = async (sql: string) => {
        if (!open) return;
        open = false;
        try {
          await client.query(sql);
        } finally {
          client.release();
        }
      };
      return { query: (text, values) => query(client, text, values), commit: () => end("COMMIT"), rollback: () => end("ROLLBACK") };
    },
    close: () => pool.end(),
  };
}
