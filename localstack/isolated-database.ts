import { randomBytes } from "node:crypto";
import pg from "pg";

export interface IsolatedDatabase {
  /** A URL for this database alone, same server and credentials as the one it was created from. */
  url: string;
  /** Drops the database, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

/**
 * A new, empty database on the server behind `serverUrl`, named uniquely, so that test files running
 * side by side (and a second run) never see each other's rows.
 */
export async function createIsolatedDatabase(serverUrl: string): Promise<IsolatedDatabase> {
  const name = `groundcrew_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
