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

/**
 * A request the service refuses before the database sees it. Whether Aurora Serverless v2 answers these
 * as BadRequestException (deprecated in the SDK model) or ValidationException is not documented; the
 * stand-in keeps BadRequestException for them (see README, "unknown" rows).
 */
export const badRequest = (message: string) => new DataApiError("BadRequestException", 400, message);

/**
 * Request validation the Data API documents for Serverless v2 and provisioned clusters ("Comparing Amazon
 * RDS Data API behaviors…": multistatements, the schema parameter). ValidationException is not in the
 * SDK's model, so the SDK raises it as a plain RDSDataServiceException named ValidationException.
 */
export const validation = (message: string) => new DataApiError("ValidationException", 400, message);

/** An error PostgreSQL raised while running the statement (Serverless v2 / provisioned). */
export const databaseError = (message: string) => new DataApiError("DatabaseErrorException", 400, message);

/**
 * What the live service answers, with no message at all, for a result holding an infinite timestamp or
 * date (observed against Aurora PostgreSQL 17 Serverless v2; see README).
 */
export const internalFailure = () => new DataApiError("InternalFailure", 500, "");

/** Modelled for every operation as TransactionNotFoundException (404); the wording is the service's. */
export const transactionNotFound = (id: string) =>
  new DataApiError("TransactionNotFoundException", 404, `Transaction ${id} is not found`);

export const databaseUnavailable = (why = "The database is unavailable") =>
  new DataApiError("DatabaseUnavailableException", 504, why);

export const statementTimeout = (processId?: number) =>
  new DataApiError(
    "StatementTimeoutException",
    400,
    "Request timed out",
    processId === undefined ? {} : { dbConnectionId: processId },
  );

export const unsupportedResult = (message: string) => new DataApiError("UnsupportedResultException", 400, message);

export const internalError = (message: string) => new DataApiError("InternalServerErrorException", 500, message);

export const unknownOperation = (method: string, path: string) =>
  new DataApiError("UnknownOperationException", 404, `Unknown operation ${method} ${path}`);

const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "57P01",
  "57P02",
  "57P03",
]);

interface PostgresError {
  message?: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
  where?: string;
}

/**
 * A PostgreSQL error as Aurora Serverless v2 words it, e.g.
 * `ERROR: operator does not exist: integer = text; Hint: No operator matches…; Position: 36; SQLState: 42883`.
 * The fields are joined with "; " and the server's DETAIL (and WHERE context) is left out: strings
 * captured from the live service show a not-null and a foreign-key violation without the Detail
 * PostgreSQL sends for both. Lost connections read as an unavailable database; anything else is the
 * stand-in's own fault.
 */
export function fromError(error: unknown): DataApiError {
  if (error instanceof DataApiError) return error;
  const pg = (error ?? {}) as PostgresError;
  if (pg.code && networkCodes.has(pg.code))
    return databaseUnavailable(`The database is unavailable: ${pg.message ?? pg.code}`);
  if (!pg.code || !/^[0-9A-Z]{5}$/.test(pg.code))
    return internalError(error instanceof Error ? error.message : String(error));
  const parts = [`ERROR: ${pg.message ?? "unknown error"}`];
  if (pg.hint) parts.push(`Hint: ${pg.hint}`);
  if (pg.position) parts.push(`Position: ${pg.position}`);
  parts.push(`SQLState: ${pg.code}`);
  return databaseError(parts.join("; "));
}

export function sendError(response: ServerResponse, error: DataApiError, requestId: string): void {
  response.writeHead(error.status, {
    "content-type": "application/json",
    "x-amzn-errortype": error.type,
    "x-amzn-requestid": requestId,
  });
  response.end(JSON.stringify({ message: error.message, ...error.members }));
}
