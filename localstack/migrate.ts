import { database } from "../functions/core/db/database.js";
import { migrate } from "../functions/setup/migrate.js";
import { migrations } from "../functions/setup/migrations/index.js";
import { parseCommandLine, runCommand } from "./cli.js";
import { localDatabaseEnv } from "./env.js";

const usage = `usage: npm run migrate
  applies migrations to the local database (or to whatever DB_CLUSTER_ARN/DB_SECRET_ARN point at)`;

// `npm run migrate`: the deploy's setup step against the local Data API endpoint, unless the
// environment already points somewhere else (DB_CLUSTER_ARN etc. and AWS credentials for real Aurora).
// The SDK reads its endpoint and credentials from process.env itself, hence the assignment.
async function main(): Promise<void> {
  parseCommandLine({ usage, args: { options: {} } });
  process.env = { ...localDatabaseEnv(), ...process.env };
  const report = await migrate(database(), migrations);
  console.log(`migrations applied: ${report.applied.join(", ") || "none"}; already applied: ${report.skipped.length}`);
}

await runCommand(usage, main);
