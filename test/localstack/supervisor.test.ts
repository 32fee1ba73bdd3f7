import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOutputs } from "../../localstack/deploy.js";
import { freePort } from "../../localstack/free-port.js";

/**
 * The supervisor on a Data API stand-in of its own: a temporary state folder and a free loopback port,
 * so no developer's or other test's stand-in is ever killed. localstack/env.ts reads both when it is
 * first imported, hence the imports after the environment is set.
 */
const stateDir = mkdtempSync(join(tmpdir(), "groundcrew-supervisor-"));
process.env.GROUNDCREW_LOCAL_DIR = stateDir;
process.env.GROUNDCREW_DATA_API_PORT = String(await freePort());
delete process.env.DATABASE_URL;
const { dataApiUrl } = await import("../../localstack/env.js");
const { DATA_API, ensureDataApi, stopDataApi } = await import("../../localstack/data-api-process.js");
const { answers, sleep } = await import("../../localstack/processes.js");
const { supervise } = await import("../../localstack/supervisor.js");

const pidOf = () => Number(readFileSync(join(stateDir, `${DATA_API}.pid`), "utf8"));

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("npm start's supervisor", () => {
  const reports: string[] = [];
  let stopped = 0;
  let supervisor: ReturnType<typeof supervise>;

  beforeAll(async () => {
    await ensureDataApi();
    supervisor = supervise({
      outputs: {} as LocalOutputs,
      watch: [DATA_API],
      report: (line) => reports.push(line),
      onStopped: () => stopped++,
      intervalMs: 500,
    });
  }, 120_000);

  afterAll(async () => {
    supervisor?.close();
    await supervisor?.idle();
    await stopDataApi();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("reports a Data API stand-in that was killed and starts it again, answering /_health", async () => {
    const killed = pidOf();
    process.kill(killed, "SIGKILL");
    await until("the supervisor to report the stand-in back", () => reports.includes("the Data API stand-in is back"));
    expect(reports).toEqual(["the Data API stand-in died: starting it again", "the Data API stand-in is back"]);
    expect(pidOf()).not.toBe(killed);
    expect(await answers(`${dataApiUrl}/_health`)).toBe(true);
    expect(stopped).toBe(0);
  }, 120_000);

  it("ends, without restarting anything, when the pid files are removed on purpose (npm run local:down)", async () => {
    const before = reports.length;
    await stopDataApi();
    await until("the supervisor to notice", () => stopped === 1 || undefined, 10_000);
    await supervisor.idle();
    expect(reports.slice(before)).toEqual([]);
    expect(await answers(`${dataApiUrl}/_health`)).toBe(false);
  }, 60_000);
});
