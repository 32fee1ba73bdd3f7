import type { ExactInteger } from "./json-out.js";

/**
 * The Data API's JSON shapes (restJson1), and the one place the stand-in's wire modules are exported
 * from: statement.ts binds parameters, hints.ts checks type hints, results.ts and metadata.ts answer.
 */

/** A Field union as the Data API's JSON carries it (blobValue is base64 on the wire). */
export interface WireField {
  isNull?: boolean;
  booleanValue?: boolean;
  /** ExactInteger past 2^53: the service's JSON carries every digit. */
  longValue?: number | ExactInteger;
  /** "NaN", "Infinity" or "-Infinity" as strings, as the AWS JSON protocols send them. */
  doubleValue?: number | string;
  stringValue?: string;
  blobValue?: string;
  arrayValue?: WireArray;
}
export interface WireArray {
  booleanValues?: (boolean | null)[];
  longValues?: (number | ExactInteger | null)[];
  doubleValues?: (number | string | null)[];
  stringValues?: (string | null)[];
  arrayValues?: WireArray[];
}
export interface WireParameter {
  name?: string;
  typeHint?: string;
  value?: WireField;
}

export { ExactInteger, toJson } from "./json-out.js";
export { columnMetadata, type ColumnMetadata } from "./metadata.js";
export {
  assertSupported,
  executeResponse,
  parsePgArray,
  toField,
  type ExecuteOptions,
  type ExecuteResponse,
  type ResultSetOptions,
} from "./results.js";
export { bindParameters } from "./statement.js";
export { InternalFailureError, UnsupportedResultError, ValidationError, WireError } from "./wire-errors.js";
