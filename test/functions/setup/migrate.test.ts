import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrate, MIGRATION_LOCK } from "../../../functions/setup/migrate.js";
import type { Migration } from "../../../functions/setup/migration.js";
import { migrations } from "../../../functions/setup/migrations/index.js";
import { fulfilledValues, postgresUrlOrSkip, raceBehindLock } from "../../support/contention.js";
import { startTestDatabase, type TestDatabase } from "../../support/local-database.js";

const first: Migration = { id: "0001_a", statements: ["CREATE TABLE a (id int)", "INSERT INTO a VALUES (1)"] };
const second: Migration = { id: "0002_b", statements: ["CREATE TABLE b (id int)"] };

describe("migrate", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await startTestDatabase();
  });
  afterEach(() => t.close());

  it("applies pending migrations in order and is a no-op the second time", async () => {
    expect(await migrate(t.db, [first])).toEqual({ applied: ["0001_a"], skipped: [] });
    expect(await migrate(t.db, [first, second])).toEqual({ applied: ["0002_b"], skipped: ["0001_a"] });
    expect(await migrate(t.db, [first, second])).toEqual({ applied: [], skipped: ["0001_a", "0002_b"] });
    expect(await t.db.rows("SELECT id FROM a")).toEqual([{ id: 1 }]);
  });

  it("rolls a failing migration back whole and records nothing, so the deploy fails and can be retried", async () => {
    const broken: Migration = {
      id: "0002_broken",
      statements: ["CREATE TABLE c (id int)", "SELECT no_such_function()"],
    };
    await expect(migrate(t.db, [first, broken])).rejects.toMatchObject({ name: "DatabaseErrorException" });
    expect(await t.db.rows("SELECT id FROM schema_migrations ORDER BY id")).toEqual([{ id: "0001_a" }]);
    expect(await t.db.first("SELECT to_regclass('c')::text AS c")).toEqual({ c: null });
  });

  it("refuses a migration edited after it was applied", async () => {
    await migrate(t.db, [first]);
    const edited = { ...first, statements: [...first.statements, "SELECT 1"] };
    await expect(migrate(t.db, [edited])).rejects.toThrow(/0001_a was changed after it was applied/);
  });

  it("refuses ids out of order", async () => {
    await expect(migrate(t.db, [second, first])).rejects.toThrow(/ascending order/);
  });

  it("lets concurrent runners apply each migration exactly once", async () => {
    const reports = await Promise.all([
      migrate(t.db, [first, second]),
      migrate(t.db, [first, second]),
      migrate(t.db, [first, second]),
    ]);
    expect(reports.flatMap((r) => r.applied).sort()).toEqual(["0001_a", "0002_b"]);
    expect(await t.db.rows("SELECT id FROM a")).toEqual([{ id: 1 }]);
  });

  it("lets 8 runners started together on an empty database all succeed, applying each migration once", async (context) => {
    const url = postgresUrlOrSkip(context, t);
    const runners = 8;
    // The barrier is a runner caught halfway: it holds the migration lock and has created, but not
    // committed, the ledger table. The others queue (on the lock, or without it on the table's
    // catalog rows); it then rolls back, leaving the database empty, and they all go at once.
    const halfwayRunner = [
      { sql: "SELECT pg_advisory_xact_lock($1)", values: [MIGRATION_LOCK] },
      {
        sql: "CREATE TABLE schema_migrations (id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
      },
    ];
    const race = await raceBehindLock(url, halfwayRunner, runners, () => migrate(t.db, migrations), {
      release: "rollback",
    });

    const reports = fulfilledValues(race.results);
    expect(reports.flatMap((r) => r.applied).sort()).toEqual(migrations.map((m) => m.id));
    expect(await t.db.rows("SELECT id FROM schema_migrations ORDER BY id")).toEqual(
      migrations.map((m) => ({ id: m.id })),
    );
    expect(race).toMatchObject({ queued: runners, finishedBeforeRelease: 0 });
  });

  it("applies the project's own migrations to an empty database", async () => {
    const report = await migrate(t.db, migrations);
    expect(report.applied).toEqual(migrations.map((m) => m.id));
  });
});
