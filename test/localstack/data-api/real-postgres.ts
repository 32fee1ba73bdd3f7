import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A PostgreSQL server for the stand-in's pool backend: TEST_DATABASE_URL when the harness gives one,
 * otherwise a throwaway cluster started here (initdb/pg_ctl are on the PATH; as root they run as
 * `nobody`). Each caller gets a database of its own, so test files never share tables.
 */
export interface RealPostgres {
  url: string;
  /** Runs SQL on the same server outside the stand-in (to kill connections, inspect state). */
  admin(sql: string, values?: unknown[]): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

export async function startRealPostgres(): Promise<RealPostgres> {
  const cluster = process.env.TEST_DATABASE_URL ? { url: process.env.TEST_DATABASE_URL, stop: () => undefined } : await throwawayCluster();
  const name = `dataapi_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const root = new pg.Client({ connectionString: cluster.url });
  await root.connect();
  await root.query(`CREATE DATABASE ${name}`);
  const url = new URL(cluster.url);
  url.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  return {
    url: url.toString(),
    admin: (sql, values) => admin.query(sql, values),
    async stop() {
      await admin.end();
      await root.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await root.end();
      cluster.stop();
    },
  };
}

async function throwawayCluster(): Promise<{ url: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "dataapi-pg-"));
  chmodSync(dir, 0o777);
  const asUser = process.getuid?.() === 0 ? ["runuser", "-u", "nobody", "--"] : [];
  const run = (command: string, args: string[]) => {
    const [program, ...rest] = [...asUser, command, ...args];
    execFileSync(program as string, rest, { stdio: "pipe" });
  };
  const port = await freePort();
  run("initdb", ["-D", join(dir, "data"), "-A", "trust", "-U", "postgres"]);
  run("pg_ctl", ["-D", join(dir, "data"), "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "-l", join(dir, "log"), "-w", "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      run("pg_ctl", ["-D", join(dir, "data"), "-m", "immediate", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
