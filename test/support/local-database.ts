import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { Database } from "../../functions/core/db/database.js";
import { migrate } from "../../functions/setup/migrate.js";
import { migrations } from "../../functions/setup/migrations/index.js";
import { startDataApiServer, type DataApiServer } from "../../localstack/data-api/server.js";

export interface TestDatabase {
  db: Database;
  server: DataApiServer;
  close(): Promise<void>;
}

/**
 * A fresh in-memory PostgreSQL behind the Data API stand-in, reached through the production
 * Database class and the real RDSDataClient: what domain tests run against instead of mocks.
 */
export async function startTestDatabase(): Promise<TestDatabase> {
  const server = await startDataApiServer({ port: 0, databaseUrl: process.env.TEST_DATABASE_URL });
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
  return { db, server, close: () => server.close() };
}

/**
 * One migrated database per test file, emptied of `tables` before each test: the fixture every
 * domain test over real SQL shares. Read it through the returned object inside hooks and tests.
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
    close: () => get().close(),
  };
}
