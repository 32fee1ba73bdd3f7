import { join } from "node:path";
import { dataApiPort, dataApiUrl, localDir, repoRoot } from "./env.js";
import { answers, logFile, startDetached, stopProcess, waitFor } from "./processes.js";

export const DATA_API = "data-api";

/** The RDS Data API stand-in: PostgreSQL from DATABASE_URL, or embedded PGlite kept in .local/pglite. */
export async function ensureDataApi(): Promise<void> {
  if (await answers(`${dataApiUrl}/_health`)) return;
  startDetached({
    name: DATA_API,
    command: process.execPath,
    args: [
      "--import",
      "tsx",
      join(repoRoot, "localstack", "data-api", "main.ts"),
      "--host",
      "127.0.0.1",
      "--port",
      String(dataApiPort),
      "--data-dir",
      join(localDir, "pglite"),
    ],
  });
  await waitFor("data-api", () => answers(`${dataApiUrl}/_health`), 60_000, logFile(DATA_API));
}

export async function stopDataApi(): Promise<boolean> {
  return stopProcess(DATA_API);
}
