/**
 * Shared set-up for the third-party client conformance tests: each test file starts its own Data API
 * stand-in and points an unmodified client library at it. Only what every user of these libraries
 * configures is set here: the endpoint, a region, dummy credentials and the cluster/secret ARNs.
 */
import { expect } from "vitest";
import { startDataApiServer, type DataApiServer } from "../../../../localstack/data-api/server.js";
import { createIsolatedDatabase } from "../../../../localstack/isolated-database.js";
import { testServerUrl } from "../../../support/local-database.js";

export const target = {
  resourceArn: "arn:aws:rds:us-east-1:000000000000:cluster:conformance",
  secretArn: "arn:aws:secretsmanager:us-east-1:000000000000:secret:conformance",
  database: "groundcrew",
};

export const region = "us-east-1";
export const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/**
 * The backends a battery runs on: embedded PGlite always, and the unit tier's PostgreSQL server
 * (TEST_DATABASE_URL, else the one test/support/global-postgres.ts started) when there is one.
 */
const serverUrl = testServerUrl();
export const backends: { name: "pglite" | "postgres"; serverUrl?: string }[] = [{ name: "pglite" }];
if (serverUrl) backends.push({ name: "postgres", serverUrl });

export interface StandIn {
  server: DataApiServer;
  close(): Promise<void>;
}

/**
 * A stand-in on a port of its own, over PGlite or over a fresh database of its own on `serverUrl`
 * (the database `serverUrl` names itself when its role may not create databases; the batteries'
 * table names are distinct per client and each file drops its tables first).
 */
export async function startStandIn(serverUrl: string | undefined): Promise<StandIn> {
  const isolated = serverUrl ? await createIsolatedDatabase(serverUrl).catch(() => undefined) : undefined;
  const databaseUrl = isolated?.url ?? serverUrl;
  const server = await startDataApiServer({ port: 0, databaseUrl }).catch(async (error: unknown) => {
    await isolated?.drop();
    throw error;
  });
  return {
    server,
    close: async () => {
      await server.close();
      await isolated?.drop();
    },
  };
}

/**
 * How Aurora Serverless v2 and provisioned clusters report a failed SQL statement: the exception
 * DatabaseErrorException (BadRequestException is documented "only in calls from Aurora Serverless v1
 * databases": API reference, Errors of ExecuteStatement; botocore's BadRequestException page), whose
 * message is PostgreSQL's, prefixed "ERROR: " and ending "; SQLState: <code>", e.g.
 * "ERROR: operator does not exist: uuid = text; Hint: …; Position: 54; SQLState: 42883"
 * (drizzle-orm#2583, DatabaseErrorException on Serverless v2) and
 * "ERROR: column \"id\" is of type uuid but expression is of type character varying\n  Hint: …\n  Position: 80; SQLState: 42804"
 * (kysely#853, through kysely-data-api).
 */
export function expectDatabaseError(error: unknown, sqlState: string, message: string | RegExp): void {
  expect(error).toBeInstanceOf(Error);
  const e = error as Error;
  // SDK v3 sets `name` from x-amzn-errortype; SDK v2 (data-api-client) sets `code` (and `name`) from it.
  expect(e.name).toBe("DatabaseErrorException");
  expect(e.message.startsWith("ERROR: ")).toBe(true);
  if (typeof message === "string") expect(e.message).toContain(message);
  else expect(e.message).toMatch(message);
  expect(e.message).toMatch(new RegExp(`; SQLState: ${sqlState}$`));
}

/** Resolves to what `promise` rejected with; fails the test if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** Settles `promise` or gives up after `ms`: for calls that, on AWS, answer while a transaction is open. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ done: true as const, value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const sampleUuid = "5b2d9c39-8a5e-4a53-9f4e-6f1d2a8b7c01";
