import { execFile, spawn } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync } from "node:fs";
import { appendFile, chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port.js";

const run = promisify(execFile);

export interface PostgresBinaries {
  initdb: string;
  pgCtl: string;
}

export interface ThrowawayPostgres {
  /** A superuser URL for the `postgres` database, on 127.0.0.1. */
  url: string;
  /** Stops the server and deletes every file it wrote. */
  stop(): Promise<void>;
}

/** `initdb` and `pg_ctl` from PATH, else from the newest Debian/Ubuntu install; undefined when there are none. */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): PostgresBinaries | undefined {
  const pathDirs = (env.PATH ?? "").split(delimiter).filter(Boolean);
  const debianDirs = existsSync("/usr/lib/postgresql")
    ? readdirSync("/usr/lib/postgresql")
        .filter((version) => /^\d+$/.test(version))
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => join("/usr/lib/postgresql", version, "bin"))
    : [];
  for (const dir of [...pathDirs, ...debianDirs]) {
    const initdb = join(dir, "initdb");
    const pgCtl = join(dir, "pg_ctl");
    if (isExecutable(initdb) && isExecutable(pgCtl)) return { initdb, pgCtl };
  }
  return undefined;
}

/**
 * Starts a throwaway PostgreSQL cluster under a fresh temp folder: loopback only, a free port, no
 * durability (fsync off: the data is thrown away anyway). PostgreSQL refuses to run as root, and CI
 * runs as root, so there the cluster runs as `nobody`. A watchdog process stops the cluster and
 * deletes the folder if this process dies without calling `stop` (a killed test run).
 */
export async function startThrowawayPostgres(
  binaries: PostgresBinaries,
  options: { log?: (line: string) => void } = {},
): Promise<ThrowawayPostgres> {
  const log = options.log ?? (() => undefined);
  const runAs = await unprivilegedPrefix();
  const dir = await mkdtemp(join(tmpdir(), "groundcrew-pg-"));
  const dataDir = join(dir, "data");
  const logFile = join(dir, "postgres.log");
  const asOwner = (command: string, args: string[]) => {
    const [head = command, ...rest] = [...runAs.prefix, command, ...args];
    return run(head, rest, { cwd: dir });
  };
  const watchdog = startWatchdog(runAs.prefix, binaries.pgCtl, dataDir, dir);
  try {
    if (runAs.owner) await chown(dir, runAs.owner.uid, runAs.owner.gid);
    await asOwner(binaries.initdb, [
      "-D",
      dataDir,
      "--auth=trust",
      "--username=postgres",
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    const settings = [
      "",
      "# Throwaway test cluster: loopback only, speed over durability.",
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      "fsync = off",
      "synchronous_commit = off",
      "full_page_writes = off",
      "max_connections = 300",
      "shared_buffers = 64MB",
      "TimeZone = 'UTC'",
    ];
    await appendFile(join(dataDir, "postgresql.conf"), `${settings.join("\n")}\n`);
    // Another process may take the free port between our probe and the server's bind: try a few.
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      await appendFile(join(dataDir, "postgresql.conf"), `port = ${port}\n`);
      try {
        await asOwner(binaries.pgCtl, ["start", "-D", dataDir, "-l", logFile, "-w", "-t", "60", "-s"]);
        break;
      } catch (error) {
        if (attempt >= 3) {
          const serverLog = await readFile(logFile, "utf8").catch(() => "");
          throw new Error(`PostgreSQL did not start (${String(error)}):\n${serverLog.slice(-2000)}`, { cause: error });
        }
      }
    }
    log(`throwaway PostgreSQL on 127.0.0.1:${port} in ${dir}`);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop: async () => {
        await asOwner(binaries.pgCtl, ["stop", "-D", dataDir, "-m", "immediate", "-w", "-s"]).catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
        watchdog.kill();
      },
    };
  } catch (error) {
    await asOwner(binaries.pgCtl, ["stop", "-D", dataDir, "-m", "immediate", "-w", "-s"]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    watchdog.kill();
    throw error;
  }
}

interface RunAs {
  /** What to put in front of a command so it runs as the cluster's owner (empty: as ourselves). */
  prefix: string[];
  owner?: { uid: number; gid: number };
}

/** As root: run as `nobody` through runuser or setpriv (util-linux); otherwise as ourselves. */
async function unprivilegedPrefix(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const uid = Number((await run("id", ["-u", "nobody"])).stdout.trim());
  const gid = Number((await run("id", ["-g", "nobody"])).stdout.trim());
  const runuser = whichOf("runuser");
  if (runuser) return { prefix: [runuser, "-u", "nobody", "--"], owner: { uid, gid } };
  const setpriv = whichOf("setpriv");
  if (setpriv) return { prefix: [setpriv, `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups"], owner: { uid, gid } };
  throw new Error(
    "Running as root, and neither runuser nor setpriv is installed to start PostgreSQL as an unprivileged user",
  );
}

/**
 * A detached shell that outlives us: once this process is gone (finished or killed) it stops the
 * cluster and deletes its folder. After a clean `stop` there is nothing left for it to do.
 */
function startWatchdog(runAs: string[], pgCtl: string, dataDir: string, dir: string) {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  const stopCommand = [...runAs, pgCtl, "stop", "-D", dataDir, "-m", "immediate", "-w", "-s"].map(quote).join(" ");
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 2; done; if [ -d ${quote(dataDir)} ]; then ${stopCommand} >/dev/null 2>&1; fi; rm -rf ${quote(dir)}`;
  const child = spawn("sh", ["-c", script], { detached: true, stdio: "ignore" });
  child.unref();
  return child;
}

function whichOf(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/bin"]) {
    const candidate = join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
