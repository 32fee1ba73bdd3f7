import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "../../../functions/setup/migrate.js";
import type { Migration } from "../../../functions/setup/migration.js";
import { migrations } from "../../../functions/setup/migrations/index.js";
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
    const broken: Migration = { id: "0002_broken", statements: ["CREATE TABLE c (id int)", "SELECT no_such_function()"] };
    await expect(migrate(t.db, [first, broken])).rejects.toMatchObject({ name: "BadRequestException" });
    expect(await t.db.rows("SELECT id FROM schema_migrations ORDER BY id")).toEqual([{ id: "0001_a" }]);
    expect(await t.db.first("SELECT to_regclass('c') AS c")).toEqual({ c: null });
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
    const reports = await Promise.all([migrate(t.db, [first, second]), migrate(t.db, [first, second]), migrate(t.db, [first, second])]);
    expect(reports.flatMap((r) => r.applied).sort()).toEqual(["0001_a", "0002_b"]);
    expect(await t.db.rows("SELECT id FROM a")).toEqual([{ id: 1 }]);
  });

  it("applies the project's own migrations to an empty database", async () => {
    const report = await migrate(t.db, migrations);
    expect(report.applied).toEqual(migrations.map((m) => m.id));
  });
});
