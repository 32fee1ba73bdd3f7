import type { ServerResponse } from "node:http";

/**
 * An error the way the Data API sends it: the SDK picks the exception class from the
 * x-amzn-errortype header and reads `message` (and modelled members) from the JSON body.
 * Status codes are the ones the SDK's model gives each error.
 */
export class DataApiError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
    readonly members: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new DataApiError("BadRequestException", 400, message);

/** Modelled for every operation as TransactionNotFoundException (404); the wording is the service's. */
export const transactionNotFound = (id: string) => new DataApiError("TransactionNotFoundException", 404, `Transaction ${id} is not found`);

export const databaseUnavailable = (why = "The database is unavailable") => new DataApiError("DatabaseUnavailableException", 504, why);

export const statementTimeout = (processId?: number) =>
  new DataApiError("StatementTimeoutException", 400, "Request timed out", processId === undefined ? {} : { dbConnectionId: processId });

export const unsupportedResult = (message: string) => new DataApiError("UnsupportedResultException", 400, message);

export const internalError = (message: string) => new DataApiError("InternalServerErrorException", 500, message);

export const unknownOperation = (method: string, path: string) => new DataApiError("UnknownOperationException", 404, `Unknown operation ${method} ${path}`);

const networkCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND", "57P01", "57P02", "57P03"]);

interface PostgresError {
  message?: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
  where?: string;
}

/**
 * A PostgreSQL error as Aurora words it: the server's message with pgjdbc's Detail/Hint/Position/Where
 * lines, then `; SQLState: xxxxx`. Lost connections read as an unavailable database; anything else
 * is the stand-in's own fault.
 */
export function fromError(error: unknown): DataApiError {
  if (error instanceof DataApiError) return error;
  const pg = (error ?? {}) as PostgresError;
  if (pg.code && networkCodes.has(pg.code)) return databaseUnavailable(`The database is unavailable: ${pg.message ?? pg.code}`);
  if (!pg.code || !/^[0-9A-Z]{5}$/.test(pg.code)) return internalError(error instanceof Error ? error.message : String(error));
  const lines = [`ERROR: ${pg.message ?? "unknown error"}`];
  if (pg.detail) lines.push(`  Detail: ${pg.detail}`);
  if (pg.hint) lines.push(`  Hint: ${pg.hint}`);
  if (pg.position) lines.push(`  Position: ${pg.position}`);
  if (pg.where) lines.push(`  Where: ${pg.where}`);
  return badRequest(`${lines.join("\n")}; SQLState: ${pg.code}`);
}

export function sendError(response: ServerResponse, error: DataApiError, requestId: string): void {
  response.writeHead(error.status, { "content-type": "application/json", "x-amzn-errortype": error.type, "x-amzn-requestid": requestId });
  response.end(JSON.stringify({ message: error.message, ...error.members }));
}
