import type { Database } from "../core/db/database.js";
import { text } from "../core/db/parameters.js";
import { checksum, type Migration } from "./migration.js";

export interface MigrationReport {
  applied: string[];
  skipped: string[];
}

// Any fixed number works: it only has to be the same for every concurrent runner.
export const MIGRATION_LOCK = 727_001;

/**
 * Applies what has not been applied yet, in order. Safe to run on every deploy and from
 * several places at once: an advisory lock serialises runners, and a changed migration
 * that was already applied stops the run instead of silently diverging.
 */
export async function migrate(db: Database, migrations: Migration[]): Promise<MigrationReport> {
  assertOrdered(migrations);
  await createLedger(db);
  const report: MigrationReport = { applied: [], skipped: [] };
  for (const migration of migrations) {
    const applied = await applyOne(db, migration);
    (applied ? report.applied : report.skipped).push(migration.id);
  }
  return report;
}

/**
 * Creates the table that records applied migrations, under the same lock as the migrations.
 * IF NOT EXISTS alone is not enough: two runners that both find no table both insert its catalog
 * rows, and the second fails on a unique index of pg_type. Through the Data API every call may run
 * on a different connection, so a session-level lock would not stay held between calls; a lock
 * taken inside a Data API transaction (pg_advisory_xact_lock) does, until commit.
 */
async function createLedger(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(:lock)", { lock: MIGRATION_LOCK });
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  });
}

async function applyOne(db: Database, migration: Migration): Promise<boolean> {
  const sum = checksum(migration);
  if (migration.transactional === false) {
    if (await alreadyApplied(db, migration, sum)) return false;
    for (const statement of migration.statements) await db.query(statement);
    await db.query("INSERT INTO schema_migrations (id, checksum) VALUES (:id, :sum) ON CONFLICT (id) DO NOTHING", {
      id: text(migration.id),
      sum,
    });
    return true;
  }
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(:lock)", { lock: MIGRATION_LOCK });
    if (await alreadyApplied(tx, migration, sum)) return false;
    for (const statement of migration.statements) await tx.query(statement);
    await tx.query("INSERT INTO schema_migrations (id, checksum) VALUES (:id, :sum)", { id: text(migration.id), sum });
    return true;
  });
}

async function alreadyApplied(db: Database, migration: Migration, sum: string): Promise<boolean> {
  const row = await db.first<{ checksum: string }>("SELECT checksum FROM schema_migrations WHERE id = :id", {
    id: text(migration.id),
  });
  if (!row) return false;
  if (row.checksum !== sum) {
    throw new Error(`Migration ${migration.id} was changed after it was applied; add a new migration instead`);
  }
  return true;
}

function assertOrdered(migrations: Migration[]): void {
  const ids = migrations.map((m) => m.id);
  const sorted = [...ids].sort();
  if (new Set(ids).size !== ids.length || ids.some((id, i) => id !== sorted[i])) {
    throw new Error(`Migrations must have unique ids in ascending order, got: ${ids.join(", ")}`);
  }
}
