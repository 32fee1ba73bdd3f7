import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pgliteBackend, postgresBackend, type Backend, type TransactionSession } from "./backends.js";
import { badRequest, DataApiError, databaseUnavailable, fromPostgresError, sendError, transactionNotFound } from "./errors.js";
import { bindParameters, executeResponse, type WireParameter, WireError } from "./wire.js";

export interface DataApiServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** A PostgreSQL server; without it, embedded PGlite. */
  databaseUrl?: string;
  /** Where PGlite keeps its files; in memory when unset. */
  dataDir?: string;
  /** An abandoned transaction is rolled back after this long idle (Aurora: 3 minutes). */
  transactionIdleMs?: number;
  log?: (line: string) => void;
}

export interface DataApiServer {
  url: string;
  port: number;
  backend: Backend["name"];
  close(): Promise<void>;
  /** Fault injection: while false every data request fails as an unreachable database does. */
  setAvailable(available: boolean): void;
  stats(): { requests: number; byOperation: Record<string, number> };
  resetStats(): void;
}

interface OpenTransaction {
  session: TransactionSession;
  timer: NodeJS.Timeout;
}

/**
 * A local stand-in for the RDS Data API: the same HTTP operations and JSON shapes the AWS SDK's
 * RDSDataClient speaks, executed on PostgreSQL, so production code runs unchanged against it.
 */
export async function startDataApiServer(options: DataApiServerOptions = {}): Promise<DataApiServer> {
  const backend = options.databaseUrl ? await postgresBackend(options.databaseUrl) : await pgliteBackend(options.dataDir);
  const idleMs = options.transactionIdleMs ?? 180_000;
  const log = options.log ?? (() => undefined);
  const transactions = new Map<string, OpenTransaction>();
  let available = true;
  let byOperation: Record<string, number> = {};

  const touch = (id: string, open: OpenTransaction) => {
    clearTimeout(open.timer);
    open.timer = setTimeout(() => {
      transactions.delete(id);
      void open.session.rollback();
      log(`transaction ${id} rolled back after ${idleMs} ms idle`);
    }, idleMs);
    open.timer.unref();
  };

  const sessionFor = (transactionId: string | undefined) => {
    if (!transactionId) return { query: backend.run };
    const open = transactions.get(transactionId);
    if (!open) throw transactionNotFound(transactionId);
    touch(transactionId, open);
    return open.session;
  };

  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    async Execute(body) {
      const sql = requireString(body, "sql");
      const { text, values } = bindParameters(sql, (body.parameters as WireParameter[] | undefined) ?? []);
      const output = await sessionFor(body.transactionId as string | undefined).query(text, values);
      return executeResponse(output, { includeResultMetadata: body.includeResultMetadata === true, formatRecordsAs: body.formatRecordsAs as string | undefined });
    },
    async BatchExecute(body) {
      const sql = requireString(body, "sql");
      const sets = (body.parameterSets as WireParameter[][] | undefined) ?? [[]];
      const session = sessionFor(body.transactionId as string | undefined);
      const updateResults = [];
      for (const parameters of sets) {
        const { text, values } = bindParameters(sql, parameters);
        await session.query(text, values);
        updateResults.push({ generatedFields: [] });
      }
      return { updateResults };
    },
    async BeginTransaction() {
      const transactionId = randomBytes(24).toString("base64");
      const open: OpenTransaction = { session: await backend.begin(), timer: setTimeout(() => undefined, 0) };
      transactions.set(transactionId, open);
      touch(transactionId, open);
      return { transactionId };
    },
    async CommitTransaction(body) {
      return { transactionStatus: await endTransaction(requireString(body, "transactionId"), "commit") };
    },
    async RollbackTransaction(body) {
      return { transactionStatus: await endTransaction(requireString(body, "transactionId"), "rollback") };
    },
  };

  async function endTransaction(id: string, how: "commit" | "rollback"): Promise<string> {
    const open = transactions.get(id);
    if (!open) throw transactionNotFound(id);
    transactions.delete(id);
    clearTimeout(open.timer);
    await open.session[how]();
    return how === "commit" ? "Transaction Committed" : "Rollback Complete";
  }

  const server = createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    try {
      if (path === "/_health") return sendJson(response, 200, { status: "ok", backend: backend.name, available });
      const body = await readJson(request);
      if (path === "/_admin/availability" && request.method === "POST") {
        available = body.available !== false;
        log(`database ${available ? "available" : "UNAVAILABLE"} (fault injection)`);
        return sendJson(response, 200, { available });
      }
      if (path === "/_admin/stats") return sendJson(response, 200, stats());
      if (path === "/_admin/stats/reset") {
        byOperation = {};
        return sendJson(response, 200, stats());
      }
      const operation = operations[path.slice(1)];
      if (!operation || request.method !== "POST") throw new DataApiError("UnknownOperationException", 404, `Unknown operation ${request.method} ${path}`);
      byOperation[path.slice(1)] = (byOperation[path.slice(1)] ?? 0) + 1;
      if (!available) throw databaseUnavailable();
      sendJson(response, 200, await operation(body));
    } catch (error) {
      const apiError = error instanceof WireError ? badRequest(error.message) : fromPostgresError(error);
      log(`${path} → ${apiError.type}: ${apiError.message.split("\n")[0]}`);
      sendError(response, apiError);
    }
  }

  function stats() {
    return { requests: Object.values(byOperation).reduce((sum, n) => sum + n, 0), byOperation: { ...byOperation } };
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    port,
    backend: backend.name,
    setAvailable: (value) => {
      available = value;
    },
    stats,
    resetStats: () => {
      byOperation = {};
    },
    async close() {
      for (const [id, open] of transactions) {
        clearTimeout(open.timer);
        transactions.delete(id);
        await open.session.rollback().catch(() => undefined);
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await backend.close();
    },
  };
}

function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") throw badRequest(`${field} is required`);
  return value;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw badRequest("Request body is not JSON");
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
