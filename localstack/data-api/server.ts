import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Backend, Session, TransactionSession } from "./backend.js";
import {
  badRequest,
  DataApiError,
  databaseUnavailable,
  fromError,
  sendError,
  statementTimeout,
  transactionNotFound,
  unknownOperation,
  unsupportedResult,
} from "./errors.js";
import { postgresBackend } from "./pg-backend.js";
import { pgliteBackend } from "./pglite-backend.js";
import { TypeCatalog } from "./types.js";
import { bindParameters, executeResponse, UnsupportedResultError, WireError, type ExecuteOptions, type WireParameter } from "./wire.js";

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
  /**
   * Bind unhinted stringValue parameters as varchar, as Aurora does (see BindOptions.strictStrings).
   * Off by default until the domain SQL casts its uuid comparisons.
   */
  strictStringParameters?: boolean;
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

type Body = Record<string, unknown>;

interface Deadline {
  expired: boolean;
  continueAfterTimeout: boolean;
  /** The connection the statement runs on, once it has one: what a timeout cancels. */
  session?: Session;
}

interface OpenTransaction {
  session: TransactionSession;
  timer?: NodeJS.Timeout;
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
  const strictStrings = options.strictStringParameters !== false;
  const catalog = new TypeCatalog();
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
    const id = String(transactionId);
    const open = transactions.get(id);
    if (!open) throw transactionNotFound(id);
    // Idle means between calls: a long statement does not count against the transaction.
    clearTimeout(open.timer);
    try {
      return await work(open.session);
    } finally {
      if (transactions.get(id) === open) armIdleTimer(id, open);
    }
  };

  /**
   * Aurora's limit on one call: past it the caller gets StatementTimeoutException and the statement is
   * cancelled unless continueAfterTimeout. The connection stays held until the statement really ends,
   * so a cancelled or continuing statement never shares it with the next call.
   */
  const withDeadline = async <T>(continueAfterTimeout: boolean, work: (deadline: Deadline) => Promise<T>): Promise<T> => {
    const deadline: Deadline = { expired: false, continueAfterTimeout };
    const started = Date.now();
    const call = work(deadline);
    // Once the call has answered with a timeout, the statement's own outcome has nobody to report to.
    call.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        deadline.expired = true;
        if (!continueAfterTimeout) void deadline.session?.cancel?.().catch(() => undefined);
        reject(statementTimeout(deadline.session?.processId));
      }, statementMs);
    });
    try {
      const result = await Promise.race([call, timeout]);
      // PGlite runs on this thread and cannot be interrupted, so its overruns are noticed afterwards.
      if (Date.now() - started > statementMs) throw statementTimeout(deadline.session?.processId);
      return result;
    } finally {
      clearTimeout(timer);
    }
  };

  /** Runs one bound statement and learns the result's column types for conversion. */
  const run = async (session: Session, deadline: Deadline, statement: { text: string; values: unknown[] }) => {
    deadline.session = session;
    // A call that used up its time queueing (PGlite behind a transaction) is not run late.
    if (deadline.expired && !deadline.continueAfterTimeout) throw statementTimeout();
    const output = await session.query(statement.text, statement.values);
    await catalog.learn(
      output.fields.map((field) => field.typeId),
      (text, values) => session.query(text, values),
    );
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
      const statement = bindParameters(sql, (body.parameters as WireParameter[] | undefined) ?? [], { strictStrings });
      const output = await withDeadline(body.continueAfterTimeout === true, (deadline) =>
        inSession(body.transactionId, (session) => run(session, deadline, statement)),
      );
      return executeResponse(output, (oid) => catalog.get(oid), executeOptions);
    },
    async BatchExecute(body) {
      requireTarget(body);
      const sql = requireString(body, "sql");
      const sets = (body.parameterSets as WireParameter[][] | undefined) ?? [[]];
      const statements = sets.map((parameters) => bindParameters(sql, parameters, { strictStrings }));
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
      const open: OpenTransaction = { session: await backend.begin() };
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
      if (path === "/_health") return sendJson(response, 200, { status: "ok", backend: backend.name, available }, requestId);
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
      if (!available) throw databaseUnavailable("The database is unavailable (taken down through /_admin/availability)");
      const payload = JSON.stringify(await operation(body));
      if (Buffer.byteLength(payload) > maxResponseBytes) throw badRequest("Database returned more than the allowed response size limit");
      response.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": requestId });
      response.end(payload);
    } catch (error) {
      const apiError = error instanceof WireError ? badRequest(error.message) : error instanceof UnsupportedResultError ? unsupportedResult(error.message) : fromError(error);
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

function requireString(body: Body, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") throw badRequest(`${field} is required`);
  return value;
}

// The service refuses a call naming no cluster or secret; code that forgets them should fail here too.
function requireTarget(body: Body): void {
  requireString(body, "resourceArn");
  requireString(body, "secretArn");
}

async function readJson(request: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    return parsed as Body;
  } catch {
    throw new DataApiError("SerializationException", 400, "Request body is not a JSON object");
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown, requestId: string): void {
  response.writeHead(status, { "content-type": "application/json", "x-amzn-requestid": requestId });
  response.end(JSON.stringify(body));
}
