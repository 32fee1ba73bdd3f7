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

/** One refused field of a request: where it is (`body.priority`, `query.limit`) and why. */
export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * A request that does not parse. Issues come as fields (`{ path, message }`) or as the text
 * "path: message" the domain writes; both are kept as fields, and as text for messages and logs.
 */
export class ValidationError extends DomainError {
  override name = "ValidationError";
  readonly fields: FieldIssue[];
  readonly issues: string[];
  constructor(message: string, issues: readonly (string | FieldIssue)[]) {
    const fields = issues.map((issue) => (typeof issue === "string" ? fieldOf(issue) : issue));
    const texts = fields.map((field) => (field.path ? `${field.path}: ${field.message}` : field.message));
    super(message, 400, { details: texts });
    this.fields = fields;
    this.issues = texts;
  }
}

/** "body.cron: not a cron expression" → { path: "body.cron", message: "not a cron expression" }; no path → "". */
function fieldOf(issue: string): FieldIssue {
  const match = /^([^\s:]+): ([\s\S]*)$/.exec(issue);
  return match ? { path: match[1] as string, message: match[2] as string } : { path: "", message: issue };
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

export class MethodNotAllowedError extends DomainError {
  override name = "MethodNotAllowedError";
  constructor(
    message: string,
    /** The methods the path does answer: the `allow` header of the 405. */
    readonly allow: string[],
  ) {
    super(message, 405);
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  override name = "UnsupportedMediaTypeError";
  constructor(message: string) {
    super(message, 415);
  }
}

export class TooManyRequestsError extends DomainError {
  override name = "TooManyRequestsError";
  constructor(message = "Too many requests; try again later") {
    super(message, 429);
  }
}
