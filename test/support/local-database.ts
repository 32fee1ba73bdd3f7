import { afterAll, beforeAll, beforeEach, inject } from "vitest";
import { migrate } from "../../functions/setup/migrate.js";
import { migrations } from "../../functions/setup/migrations/index.js";
import { startScratchDatabase, type ScratchDatabase } from "../../localstack/scratch-database.js";

export type TestDatabase = ScratchDatabase;

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

/** A fresh, empty database behind the Data API stand-in, on the unit tier's PostgreSQL server (else PGlite). */
export function startTestDatabase(): Promise<TestDatabase> {
  return startScratchDatabase({ serverUrl: testServerUrl() });
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
