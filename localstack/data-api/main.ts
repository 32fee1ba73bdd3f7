import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { startDataApiServer } from "./server.js";

/**
 * `tsx localstack/data-api/main.ts [--port 4567] [--host 127.0.0.1] [--data-dir .local/pglite]`.
 * Parameters are always bound the way Aurora binds them (an unhinted string is varchar); there is no switch to relax it.
 * DATABASE_URL in the environment selects a PostgreSQL server instead of embedded PGlite.
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4567" },
    host: { type: "string", default: "127.0.0.1" },
    "data-dir": { type: "string" },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}
const databaseUrl = process.env.DATABASE_URL || undefined;
const dataDir = values["data-dir"];
if (dataDir && !databaseUrl) mkdirSync(dataDir, { recursive: true });

const server = await startDataApiServer({
  host: values.host,
  port,
  databaseUrl,
  dataDir,
  log: (line) => console.log(`${new Date().toISOString()} ${line}`),
}).catch((error: unknown) => {
  console.error(`data-api failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
// Parent processes wait for exactly this line before sending requests.
console.log(`data-api listening on ${server.url} (backend: ${server.backend})`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // A second signal means "now": PGlite may be mid-write, but the caller asked twice.
    if (stopping) process.exit(1);
    stopping = true;
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`data-api did not close cleanly: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  });
}
