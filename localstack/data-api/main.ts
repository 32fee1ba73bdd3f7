import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { startDataApiServer } from "./server.js";

/** `tsx localstack/data-api/main.ts [--port 4567] [--host 127.0.0.1] [--data-dir .local/pglite]`; DATABASE_URL picks PostgreSQL. */
const { values } = parseArgs({
  options: { port: { type: "string", default: "4567" }, host: { type: "string", default: "127.0.0.1" }, "data-dir": { type: "string" } },
});
const dataDir = values["data-dir"];
if (dataDir && !process.env.DATABASE_URL) mkdirSync(dataDir, { recursive: true });
const server = await startDataApiServer({
  host: values.host,
  port: Number(values.port),
  databaseUrl: process.env.DATABASE_URL,
  dataDir,
  log: (line) => console.log(`${new Date().toISOString()} ${line}`),
});
console.log(`data-api listening on ${server.url} (backend: ${server.backend})`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void server.close().finally(() => process.exit(0));
  });
}
