import type { ServerResponse } from "node:http";

/** An error the way the Data API sends it, so the SDK raises the exception class of that name. */
export class DataApiError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new DataApiError("BadRequestException", 400, message);
export const transactionNotFound = (id: string) => new DataApiError("TransactionNotFoundException", 404, `Transaction ${id} is not found`);
export const databaseUnavailable = () => new DataApiError("DatabaseUnavailableException", 504, "The database is unavailable (taken down on purpose through /_admin/availability)");

/** PostgreSQL errors read like Aurora's: the server message followed by its SQLState. */
export function fromPostgresError(error: unknown): DataApiError {
  if (error instanceof DataApiError) return error;
  const pg = error as { message?: string; code?: string; position?: string };
  const position = pg.position ? `\n  Position: ${pg.position}` : "";
  return badRequest(`ERROR: ${pg.message ?? String(error)}${position}; SQLState: ${pg.code ?? "XX000"}`);
}

export function sendError(response: ServerResponse, error: DataApiError): void {
  response.writeHead(error.status, { "content-type": "application/json", "x-amzn-errortype": error.type });
  response.end(JSON.stringify({ message: error.message }));
}
