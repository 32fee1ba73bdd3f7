/**
 * Errors the domain raises on purpose. Their status maps to HTTP in one place
 * (functions/core/http/errors.ts); below 500 the message is safe to show.
 */
export class DomainError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    options?: { cause?: unknown; details?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details;
  }
  readonly details: unknown;
}

export class ValidationError extends DomainError {
  override name = "ValidationError";
  constructor(
    message: string,
    readonly issues: string[],
  ) {
    super(message, 400, { details: issues });
  }
}

export class NotFoundError extends DomainError {
  override name = "NotFoundError";
  constructor(message = "Not found") {
    super(message, 404);
  }
}

export class ConflictError extends DomainError {
  override name = "ConflictError";
  constructor(message: string) {
    super(message, 409);
  }
}

export class UnauthorizedError extends DomainError {
  override name = "UnauthorizedError";
  constructor(message = "Authentication required") {
    super(message, 401);
  }
}

export class ForbiddenError extends DomainError {
  override name = "ForbiddenError";
  constructor(message = "Forbidden") {
    super(message, 403);
  }
}

export class PayloadTooLargeError extends DomainError {
  override name = "PayloadTooLargeError";
  constructor(message: string) {
    super(message, 413);
  }
}
