import { DomainError } from "../errors.js";

/** The database cannot be reached now; callers answer 503 or retry later, never drop the work. */
export class DatabaseUnavailableError extends DomainError {
  override name = "DatabaseUnavailableError";
  constructor(cause?: unknown) {
    super("The database is unavailable", 503, { cause });
  }
}

const unavailableNames = new Set([
  "DatabaseUnavailableException",
  "DatabaseResumingException",
  "DatabaseNotFoundException",
  "ServiceUnavailableError",
  "InternalServerErrorException",
  "ThrottlingException",
]);
const networkCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND"]);

export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof DatabaseUnavailableError) return true;
  if (unavailableNames.has(error.name)) return true;
  const code = (error as { code?: string }).code ?? (error.cause as { code?: string } | undefined)?.code;
  return code !== undefined && networkCodes.has(code);
}

export function asDatabaseError(error: unknown): unknown {
  return isUnavailable(error) && !(error instanceof DatabaseUnavailableError)
    ? new DatabaseUnavailableError(error)
    : error;
}
