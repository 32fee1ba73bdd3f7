import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { Database } from "../functions/core/db/database.js";
import { migrate } from "../functions/setup/migrate.js";
import { migrations } from "../functions/setup/migrations/index.js";
import { startDataApiServer, type DataApiServer } from "./data-api/server.js";
import { createIsolatedDatabase } from "./isolated-database.js";
import { findPostgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from "./postgres.js";

export interface ScratchDatabase {
  db: Database;
  server: DataApiServer;
  /** This database's own PostgreSQL URL, for a second connection beside the Data API; undefined on PGlite. */
  url: string | undefined;
  close(): Promise<void>;
}

export interface ScratchOptions {
  /** A PostgreSQL server to create the database on (a database of its own, dropped by `close`). */
  serverUrl?: string;
  /** Without `serverUrl`: start a throwaway PostgreSQL cluster when one is installed, instead of embedded PGlite. */
  startPostgres?: boolean;
  /** Apply every migration first. */
  migrated?: boolean;
}

/**
 * A fresh, empty database behind the Data API stand-in, reached through the production Database
 * class and the real RDSDataClient: what domain tests and benchmarks run against instead of mocks.
 * On a PostgreSQL server it is a database of its own; otherwise in-memory PGlite.
 */
export async function startScratchDatabase(options: ScratchOptions = {}): Promise<ScratchDatabase> {
  let cluster: ThrowawayPostgres | undefined;
  let serverUrl = options.serverUrl;
  if (!serverUrl && options.startPostgres) {
    const binaries = findPostgresBinaries();
    if (binaries) {
      cluster = await startThrowawayPostgres(binaries);
      serverUrl = cluster.url;
    }
  }
  const isolated = serverUrl ? await createIsolatedDatabase(serverUrl) : undefined;
  const stop = async () => {
    await isolated?.drop();
    await cluster?.stop();
  };
  const server = await startDataApiServer({ port: 0, databaseUrl: isolated?.url }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  const client = new RDSDataClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  const db = new Database(client, {
    resourceArn: "arn:aws:rds:us-east-1:000000000000:cluster:scratch",
    secretArn: "arn:aws:secretsmanager:us-east-1:000000000000:secret:scratch",
    database: "groundcrew",
  });
  const scratch: ScratchDatabase = {
    db,
    server,
    url: isolated?.url,
    close: async () => {
      await server.close();
      await stop();
    },
  };
  if (options.migrated) await migrate(db, migrations);
  return scratch;
}
