import { createHash } from "node:crypto";

/**
 * A versioned schema change. Each statement is sent on its own because the Data API
 * runs one statement per call; all of a migration's statements share one transaction.
 */
export interface Migration {
  id: string;
  statements: string[];
  /** VACUUM, CREATE INDEX CONCURRENTLY and the like cannot run inside a transaction. */
  transactional?: boolean;
}

export function checksum(migration: Migration): string {
  return createHash("sha256").update(migration.statements.join("\n;\n")).digest("hex");
}
