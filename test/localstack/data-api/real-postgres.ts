import pg from "pg";
import { findPostgresBinaries, startThrowawayPostgres } from "../../../localstack/postgres.js";
import { createIsolatedDatabase } from "../../../localstack/isolated-database.js";
import { testServerUrl } from "../../support/local-database.js";

/**
 * A PostgreSQL database of its own for the stand-in's pool backend: on the unit tier's server
 * (TEST_DATABASE_URL or the throwaway cluster its global setup started), else on a cluster started
 * here, so these tests never quietly shrink to PGlite alone.
 */
export interface RealPostgres {
  url: string;
  /** Runs SQL on the same database outside the stand-in (to kill connections, inspect state). */
  admin(sql: string, values?: unknown[]): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

export async function startRealPostgres(): Promise<RealPostgres> {
  const cluster = await serverForTests();
  const database = await createIsolatedDatabase(cluster.url);
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  return {
    url: database.url,
    admin: (sql, values) => admin.query(sql, values),
    async stop() {
      await admin.end();
      await database.drop().catch(() => undefined);
      await cluster.stop();
    },
  };
}

async function serverForTests(): Promise<{ url: string; stop: () => Promise<void> }> {
  const given = testServerUrl();
  if (given) return { url: given, stop: async () => undefined };
  const binaries = findPostgresBinaries();
  if (!binaries)
    throw new Error("The pool backend's tests need PostgreSQL: put initdb and pg_ctl on PATH or set TEST_DATABASE_URL");
  return startThrowawayPostgres(binaries);
}
