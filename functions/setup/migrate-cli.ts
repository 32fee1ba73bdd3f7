import { localDatabaseEnv } from "../../localstack/env.js";
import { database } from "../core/db/database.js";
import { migrate } from "./migrate.js";
import { migrations } from "./migrations/index.js";

// `npm run migrate`: the deploy's setup step against the local Data API endpoint, unless the
// environment already points somewhere else (DB_CLUSTER_ARN etc. and AWS credentials for real Aurora).
process.env = { ...localDatabaseEnv(), ...process.env };
const report = await migrate(database(), migrations);
console.log(`migrations applied: ${report.applied.join(", ") || "none"}; already applied: ${report.skipped.length}`);
