import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, beforeEach, inject } from "vitest";
import { Database } from "../../functions/core/db/database.js";
import { migrate } from "../../functions/setup/migrate.js";
import { migrations } from "../../functions/setup/migrations/index.js";
import { startDataApiServer, type DataApiServer } from "../../localstack/data-api/server.js";
import { createIsolatedDatabase } from "./isolated-database.js";

export interface TestDatabase {
  db: Database;
  server: DataApiServer;
  /** This database's own PostgreSQL URL, for a second connection beside the Data API; undefined on PGlite. */
  url: string | undefined;
  close(): Promise<void>;
}

/**
 * The PostgreSQL server test databases are created on: TEST_DATABASE_URL, else what the unit tier's
 * global setup started (test/support/global-postgres.ts). Undefined means embedded PGlite.
 */
export function testServerUrl(): string | undefined {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  try {
    return inject("testDatabaseUrl") || undefined;
  } catch {
    // Outside a vitest worker (e.g. `npm run bench:dispatcher`) nothing was provided.
    return undefined;
  }
}

/**
 * A fresh, empty database behind the Data API stand-in, reached through the production Database
 * class and the real RDSDataClient: what domain tests run against instead of mocks. On a PostgreSQL
 * server it is a database of its own, created here and dropped by `close`; otherwise in-memory PGlite.
 */
export async function startTestDatabase(): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  const isolated = serverUrl ? await createIsolatedDatabase(serverUrl) : undefined;
  const server = await startDataApiServer({ port: 0, databaseUrl: isolated?.url }).catch(async (error: unknown) => {
    await isolated?.drop();
    throw error;
  });
  const client = new RDSDataClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  const db = new Database(client, {
    resourceArn: "arn:aws:rds:us-east-1:000000000000:cluster:test",
    secretArn: "arn:aws:secretsmanager:us-east-1:000000000000:secret:test",
    database: "groundcrew",
  });
  return {
    db,
    server,
    url: isolated?.url,
    close: async () => {
      await server.close();
      await isolated?.drop();
    },
  };
}

/**
 * One migrated database per test file (a database of its own on a PostgreSQL server), emptied of
 * `tables` before each test: the fixture every domain test over real SQL shares. Read it through the
 * returned object inside hooks and tests.
 */
export function migratedDatabase(tables: string[]): TestDatabase {
  let current: TestDatabase | undefined;
  const get = () => {
    if (!current) throw new Error("The test database is not started: use it inside tests and hooks");
    return current;
  };
  beforeAll(async () => {
    current = await startTestDatabase();
    await migrate(current.db, migrations);
  });
  afterAll(() => get().close());
  beforeEach(async () => {
    for (const table of tables) await get().db.query(`DELETE FROM ${table}`);
  });
  return {
    get db() {
      return get().db;
    },
    get server() {
      return get().server;
    },
    get url() {
      return get().url;
    },
    close: () => get().close(),
  };
}
