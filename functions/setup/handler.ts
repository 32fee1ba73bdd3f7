import { database } from "../core/db/database.js";
import { ensureEnvironment } from "../core/environment-check.js";
import { logger } from "../core/logger.js";
import { migrate } from "./migrate.js";
import { migrations } from "./migrations/index.js";

/**
 * The setup step (`manage.py migrate` in a Django deploy), invoked by a CDK Trigger before the new API and
 * worker code is deployed. Throwing fails the Trigger, and with it the deploy.
 */
export const handler = async (): Promise<{ applied: string[]; skipped: string[] }> => {
  ensureEnvironment("setup");
  const report = await migrate(database(), migrations);
  logger.info("Migrations done", { ...report });
  return report;
};
