import type { TestProject } from "vitest/node";
import { findPostgresBinaries, startThrowawayPostgres } from "../../localstack/postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The PostgreSQL server test files create their own databases on; empty means embedded PGlite. */
    testDatabaseUrl: string;
  }
}

/**
 * The unit tier's PostgreSQL server, started once per run: the one TEST_DATABASE_URL or DATABASE_URL
 * names, else a throwaway cluster of the installed PostgreSQL. Without PostgreSQL the domain tests
 * fall back to embedded PGlite, which has one connection and so cannot show contention: CI refuses that.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (given) {
    project.provide("testDatabaseUrl", given);
    return undefined;
  }
  const binaries = findPostgresBinaries();
  if (!binaries) {
    if (process.env.CI === "true" || process.env.CI === "1") {
      throw new Error(
        "CI needs PostgreSQL for the contention tests: install it (initdb and pg_ctl on PATH) or set TEST_DATABASE_URL",
      );
    }
    console.warn(
      "[unit] PostgreSQL not found (no initdb/pg_ctl on PATH): domain tests run on embedded PGlite and the contention tests are skipped",
    );
    project.provide("testDatabaseUrl", "");
    return undefined;
  }
  const started = Date.now();
  const cluster = await startThrowawayPostgres(binaries);
  if (process.env.GROUNDCREW_VERBOSE)
    console.log(`[unit] throwaway PostgreSQL ready in ${Date.now() - started} ms: ${cluster.url}`);
  project.provide("testDatabaseUrl", cluster.url);
  return () => cluster.stop();
}
