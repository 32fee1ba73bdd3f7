import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Backend, Session, TransactionSession } from "./backend.js";
import { deadlines, type Deadline } from "./deadline.js";
import {
  databaseError,
  databaseUnavailable,
  fromError,
  sendError,
  statementTimeout,
  transactionNotFound,
  unknownOperation,
  unsupportedResult,
} from "./errors.js";
import { asApiError, readJson, requireString, requireTarget, sendJson, type Body } from "./http.js";
import { ColumnOrigins } from "./origins.js";
import { postgresBackend } from "./pg-backend.js";
import { pgliteBackend } from "./pglite-backend.js";
import { TypeCatalog } from "./types.js";
import { bindParameters, executeResponse, toJson, type ExecuteOptions, type WireParameter } from "./wire.js";

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
  /** A call answers StatementTimeoutException after this long (Aurora: 45 s). */
  statementTimeoutMs?: number;
  /** Larger responses fail as on AWS (1 MiB). */
  maxResponseBytes?: number;
  log?: (line: string) => void;
}

export interface DataApiServer {
  url: string;
  port: number;
  backend: Backend["name"];
  close(): Promise<void>;
  /** Fault injection: while false every data request fails with DatabaseUnavailableException. */
  setAvailable(available: boolean): void;
  stats(): { requests: number; byOperation: Record<string, number> };
  resetStats(): void;
}

interface OpenTransaction {
  session: TransactionSession;
  timer?: NodeJS.Timeout;
  /** A call is running in it: Serverless v2 refuses a second one at once instead of queueing it. */
  busy: boolean;
}

/**
 * A local stand-in for the RDS Data API: the HTTP operations and JSON shapes the AWS SDK's
 * RDSDataClient speaks (restJson1), executed on PostgreSQL, so production code runs unchanged.
 */
export async function startDataApiServer(options: DataApiServerOptions = {}): Promise<DataApiServer> {
  const log = options.log ?? (() => undefined);
  const backend = options.databaseUrl
    ? await postgresBackend({ connectionString: options.databaseUrl, log })
    : await pgliteBackend({ dataDir: options.dataDir, log });
  const idleMs = options.transactionIdleMs ?? 180_000;
  const statementMs = options.statementTimeoutMs ?? 45_000;
  const maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
  const catalog = new TypeCatalog();
  const origins = new ColumnOrigins();
  const transactions = new Map<string, OpenTransaction>();
  let available = true;
  let byOperation: Record<string, number> = {};

  const armIdleTimer = (id: string, open: OpenTransaction) => {
    clearTimeout(open.timer);
    open.timer = setTimeout(() => {
      if (transactions.get(id) !== open) return;
      transactions.delete(id);
      void open.session.rollback().catch(() => undefined);
      log(`transaction ${id} rolled back after ${idleMs} ms idle`);
    }, idleMs);
    open.timer.unref();
  };

  /** Runs `work` in the named transaction, or on a borrowed connection when there is none. */
  const inSession = async <T>(transactionId: unknown, work: (session: Session) => Promise<T>): Promise<T> => {
    if (transactionId === undefined || transactionId === null || transactionId === "") return backend.withSession(work);
    const id = typeof transactionId === "string" ? transactionId : JSON.stringify(transactionId);
    const open = transactions.get(id);
    if (!open) throw transactionNotFound(id);
    // "Comparing … behaviors", Concurrent requests for the same transaction ID (Serverless v2).
    if (open.busy) throw databaseError("Transaction is still running a query");
    open.busy = true;
    // Idle means between calls: a long statement does not count against the transaction.
    clearTimeout(open.timer);
    try {
      return await work(open.session);
    } catch (error) {
      // A transaction whose connection is gone cannot go on; later calls find no such transaction.
      if (fromError(error).type === "DatabaseUnavailableException" && transactions.get(id) === open) {
        transactions.delete(id);
        void open.session.rollback().catch(() => undefined);
      }
      throw error;
    } finally {
      open.busy = false;
      if (transactions.get(id) === open) armIdleTimer(id, open);
    }
  };

  const withDeadline = deadlines(statementMs);

  /** Runs one bound statement and learns the result's column types for conversion. */
  const run = async (
    session: Session,
    deadline: Deadline,
    statement: { text: string; values: unknown[] },
    withMetadata = false,
  ) => {
    deadline.session = session;
    // A call that used up its time queueing (PGlite behind a transaction) is not run late.
    if (deadline.expired && !deadline.continueAfterTimeout) throw statementTimeout();
    const output = await session.query(statement.text, statement.values);
    const catalogQuery = (text: string, values: unknown[]) => session.query(text, values);
    await catalog.learn(
      output.fields.map((field) => field.typeId),
      catalogQuery,
    );
    if (
      withMetadata &&
      session.describeColumns &&
      output.fields.length > 0 &&
      output.fields.every((f) => f.tableId === undefined)
    ) {
      const described = await session.describeColumns(statement.text);
      output.fields = output.fields.map((field, index) => ({ ...field, ...described[index] }));
    }
    if (withMetadata) await origins.learn(output.fields, catalogQuery);
    return output;
  };

  const operations: Record<string, (body: Body) => Promise<unknown>> = {
    async Execute(body) {
      requireTarget(body);
      const sql = requireString(body, "sql");
      const resultSetOptions = (body.resultSetOptions ?? {}) as ExecuteOptions;
      const executeOptions: ExecuteOptions = {
        includeResultMetadata: body.includeResultMetadata === true,
        formatRecordsAs: typeof body.formatRecordsAs === "string" ? body.formatRecordsAs : undefined,
        decimalReturnType: resultSetOptions.decimalReturnType,
        longReturnType: resultSetOptions.longReturnType,
      };
      const statement = bindParameters(sql, (body.parameters as WireParameter[] | undefined) ?? []);
      const output = await withDeadline(body.continueAfterTimeout === true, (deadline) =>
        inSession(body.transactionId, (session) =>
          run(session, deadline, statement, executeOptions.includeResultMetadata),
        ),
      );
      return executeResponse(
        output,
        (oid) => catalog.get(oid),
        executeOptions,
        (field) => origins.get(field),
      );
    },
    async BatchExecute(body) {
      requireTarget(body);
      const sql = requireString(body, "sql");
      const sets = (body.parameterSets as WireParameter[][] | undefined) ?? [[]];
      const statements = sets.map((parameters) => bindParameters(sql, parameters));
      const runAll = (deadline: Deadline) => async (session: Session) => {
        for (const statement of statements) await run(session, deadline, statement);
        return { updateResults: statements.map(() => ({ generatedFields: [] })) };
      };
      return withDeadline(false, async (deadline) => {
        if (body.transactionId) return inSession(body.transactionId, runAll(deadline));
        // Outside a transaction the batch is one unit, as the JDBC batch behind the Data API is.
        const session = await backend.begin();
        try {
          const result = await runAll(deadline)(session);
          await session.commit();
          return result;
        } catch (error) {
          await session.rollback().catch(() => undefined);
          throw error;
        }
      });
    },
    async BeginTransaction(body) {
      requireTarget(body);
      const transactionId = randomBytes(48).toString("base64");
      const open: OpenTransaction = { session: await backend.begin(), busy: false };
      transactions.set(transactionId, open);
      armIdleTimer(transactionId, open);
      return { transactionId };
    },
    async CommitTransaction(body) {
      requireTarget(body);
      await endTransaction(requireString(body, "transactionId"), "commit");
      return { transactionStatus: "Transaction Committed" };
    },
    async RollbackTransaction(body) {
      requireTarget(body);
      await endTransaction(requireString(body, "transactionId"), "rollback");
      return { transactionStatus: "Rollback Complete" };
    },
  };

  async function endTransaction(id: string, how: "commit" | "rollback"): Promise<void> {
    const open = transactions.get(id);
    if (!open) throw transactionNotFound(id);
    transactions.delete(id);
    clearTimeout(open.timer);
    await open.session[how]();
  }

  function stats() {
    return { requests: Object.values(byOperation).reduce((sum, n) => sum + n, 0), byOperation: { ...byOperation } };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    try {
      if (path === "/_health")
        return sendJson(response, 200, { status: "ok", backend: backend.name, available }, requestId);
      const body = await readJson(request);
      if (path === "/_admin/availability" && request.method === "POST") {
        available = body.available !== false;
        log(`database ${available ? "available" : "UNAVAILABLE"} (fault injection)`);
        return sendJson(response, 200, { available }, requestId);
      }
      if (path === "/_admin/stats") return sendJson(response, 200, stats(), requestId);
      if (path === "/_admin/stats/reset" && request.method === "POST") {
        byOperation = {};
        return sendJson(response, 200, stats(), requestId);
      }
      const name = path.slice(1);
      const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
      if (!operation || request.method !== "POST") throw unknownOperation(request.method ?? "?", path);
      byOperation[name] = (byOperation[name] ?? 0) + 1;
      if (!available)
        throw databaseUnavailable("The database is unavailable (taken down through /_admin/availability)");
      const payload = toJson(await operation(body));
      // 1 MiB per response (API reference, ExecuteStatement). Serverless v2 words it as observed on the
      // live service; Serverless v1 answered BadRequestException "Database returned more than the allowed response size limit".
      if (Buffer.byteLength(payload) > maxResponseBytes)
        throw unsupportedResult("The result exceeds the size limit 1 MB");
      response.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": requestId });
      response.end(payload);
    } catch (error) {
      const apiError = asApiError(error);
      log(`${path} → ${apiError.type}: ${apiError.message.split("\n")[0] ?? ""}`);
      sendError(response, apiError, requestId);
    }
  }

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? "127.0.0.1";
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
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
