import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { Database } from "../../functions/core/db/database.js";
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
