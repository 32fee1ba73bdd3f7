/** A request the Data API itself refuses before PostgreSQL sees it (answered as BadRequestException). */
export class WireError extends Error {}

/** Request validation documented for Serverless v2 (answered as ValidationException). */
export class ValidationError extends Error {}

/** A result the Data API cannot express (answered as UnsupportedResultException). */
export class UnsupportedResultError extends Error {}

/** A result the live service fails on with a bare InternalFailure (infinite timestamps and dates). */
export class InternalFailureError extends Error {}
