import { longOf, toJson } from "./json-out.js";
import { columnMetadata, type ColumnMetadata, type ColumnOrigin } from "./metadata.js";
import type { PgType, QueryOutput } from "./types.js";
import { InternalFailureError, UnsupportedResultError } from "./wire-errors.js";
import type { WireArray, WireField } from "./wire.js";

export interface ResultSetOptions {
  decimalReturnType?: string;
  longReturnType?: string;
}

const longTypes = new Set(["int2", "int4", "int8", "oid"]);
const doubleTypes = new Set(["float4", "float8"]);
const temporal = new Set(["date", "timestamp", "timestamptz"]);

/**
 * The result types the service returns: the scalar list of "Data API operations reference" (BOOL, BYTEA,
 * DATE, CIDR, DECIMAL/NUMERIC, ENUM, FLOAT8, INET, INT/INT4, INT2, INT8, JSONB/JSON, REAL, TEXT/CHAR(N)/
 * VARCHAR/NAME, TIME, TIMESTAMP, UUID, VECTOR), plus timestamptz and oid, which the live service was seen
 * to return. `void` (what pg_advisory_xact_lock returns) is kept although undocumented. Anything else
 * (interval, money, xml, "char", timetz, geometric, ranges, records…) fails the whole call.
 */
const scalarTypes = new Set([
  "bool",
  "bytea",
  "date",
  "cidr",
  "inet",
  "numeric",
  "float4",
  "float8",
  "int2",
  "int4",
  "int8",
  "oid",
  "json",
  "jsonb",
  "text",
  "bpchar",
  "varchar",
  "name",
  "time",
  "timestamp",
  "timestamptz",
  "uuid",
  "vector",
  "void",
  "unknown",
]);
/** Array element types: the documented array list (BOOL[], BIT[], DATE[], NUMERIC[], FLOAT8[], INT4[], INT2[], INT8[], JSON[], REAL[], TEXT/CHAR/VARCHAR/NAME[], TIME[], TIMESTAMP[], UUID[]) plus jsonb[] and timestamptz[], seen returned. */
const arrayElements = new Set([
  "bool",
  "bit",
  "date",
  "numeric",
  "float8",
  "int4",
  "int2",
  "int8",
  "json",
  "jsonb",
  "float4",
  "text",
  "bpchar",
  "varchar",
  "name",
  "time",
  "timestamp",
  "timestamptz",
  "uuid",
]);

/** Fails as the service does when a column's type is one it does not return. */
export function assertSupported(type: PgType): void {
  const supported =
    type.category === "A" ? arrayElements.has(type.element ?? "") : scalarTypes.has(type.name) || type.category === "E";
  // "Comparing … behaviors", ExecuteStatement behavior: "UnsupportedResultException: The result contains the unsupported data type data_type".
  if (!supported) throw new UnsupportedResultError(`The result contains the unsupported data type ${type.name}`);
}

/** A float or double as the Field carries it: JSON has no NaN or Infinity, so the AWS JSON protocols send those names as strings. */
const double = (text: string): number | string => {
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
};

// The live service fails with a bare InternalFailure on an infinite timestamp or date.
const finiteTemporal = (text: string): string => {
  if (/^-?infinity$/.test(text)) throw new InternalFailureError(text);
  return text;
};

// Aurora answers timestamptz in UTC without the offset; the session zone is UTC.
const utcWallClock = (text: string): string => finiteTemporal(text).replace(/[+-]\d\d(:\d\d){0,2}$/, "");

/** One PostgreSQL text value as the Field union Aurora returns for its column type. */
export function toField(text: string | null, type: PgType, options: ResultSetOptions = {}): WireField {
  if (text === null) return { isNull: true };
  if (type.name === "bool") return { booleanValue: text === "t" || text === "true" };
  if (longTypes.has(type.name))
    return options.longReturnType === "STRING" ? { stringValue: text } : { longValue: longOf(text) };
  if (doubleTypes.has(type.name)) return { doubleValue: double(text) };
  if (type.name === "numeric" && options.decimalReturnType === "DOUBLE_OR_LONG") {
    return /^-?\d+$/.test(text) ? { longValue: longOf(text) } : { doubleValue: double(text) };
  }
  if (type.name === "bytea") return { blobValue: Buffer.from(text.replace(/^\\x/, ""), "hex").toString("base64") };
  if (type.name === "timestamptz") return { stringValue: utcWallClock(text) };
  if (temporal.has(type.name)) return { stringValue: finiteTemporal(text) };
  if (type.category === "A") return { arrayValue: toArray(text, type.element ?? "text") };
  return { stringValue: text };
}

function toArray(text: string, element: string): WireArray {
  // Text output of arrays with non-default bounds starts with "[1:2]={…}".
  const literal = text.replace(/^\[[^\]]*\]=/, "");
  if (literal.startsWith("{{")) throw new UnsupportedResultError("The result contains a multidimensional array");
  const items = parsePgArray(literal);
  const each = <T>(convert: (value: string) => T) => items.map((value) => (value === null ? null : convert(value)));
  if (element === "bool" || element === "bit") return { booleanValues: each((v) => v === "t" || v === "1") };
  if (longTypes.has(element)) return { longValues: each(longOf) };
  if (doubleTypes.has(element)) return { doubleValues: each(double) };
  if (element === "timestamptz") return { stringValues: each(utcWallClock) };
  if (temporal.has(element)) return { stringValues: each(finiteTemporal) };
  return { stringValues: items };
}

/** A one-dimensional PostgreSQL array literal → its elements' text (null for an unquoted NULL). */
export function parsePgArray(text: string): (string | null)[] {
  const inner = text.slice(1, -1);
  if (inner === "") return [];
  const items: (string | null)[] = [];
  let current = "";
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i] as string;
    if (quoted) {
      if (ch === "\\") current += inner[++i] ?? "";
      else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') {
      quoted = true;
      wasQuoted = true;
    } else if (ch === ",") {
      items.push(!wasQuoted && current === "NULL" ? null : current);
      current = "";
      wasQuoted = false;
    } else current += ch;
  }
  items.push(!wasQuoted && current === "NULL" ? null : current);
  return items;
}

export interface ExecuteOptions extends ResultSetOptions {
  includeResultMetadata?: boolean;
  formatRecordsAs?: string;
}

export interface ExecuteResponse {
  records?: WireField[][];
  columnMetadata?: ColumnMetadata[];
  numberOfRecordsUpdated: number;
  generatedFields: WireField[];
  formattedRecords?: string;
}

/**
 * ExecuteStatement's answer for one result. With formatRecordsAs JSON a SELECT's rows come only as
 * the formattedRecords string and columnMetadata is left out, as the API reference says.
 */
export function executeResponse(
  output: QueryOutput,
  typeOf: (oid: number) => PgType,
  options: ExecuteOptions = {},
  originOf: (field: QueryOutput["fields"][number]) => ColumnOrigin | undefined = () => undefined,
): ExecuteResponse {
  const response: ExecuteResponse = { numberOfRecordsUpdated: output.affectedRows, generatedFields: [] };
  if (output.fields.length === 0) return response;
  const types = output.fields.map((field) => typeOf(field.typeId));
  types.forEach(assertSupported);
  const records = output.rows.map((row) => types.map((type, index) => toField(row[index] ?? null, type, options)));
  if (options.formatRecordsAs === "JSON" && output.command === "SELECT") {
    response.formattedRecords = toJson(records.map((record) => jsonRecord(record, output.fields)));
    return response;
  }
  response.records = records;
  if (options.includeResultMetadata) {
    response.columnMetadata = output.fields.map((field, index) =>
      columnMetadata(field.name, types[index] ?? typeOf(field.typeId), originOf(field), field.typeModifier),
    );
  }
  return response;
}

/** A record as formattedRecords has it: numbers and booleans as JSON, blobs as base64, everything else a string. */
function jsonRecord(record: WireField[], fields: QueryOutput["fields"]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  record.forEach((field, index) => {
    const name = fields[index]?.name ?? `column${index}`;
    object[name] = field.isNull
      ? null
      : (field.longValue ??
        field.doubleValue ??
        field.booleanValue ??
        field.stringValue ??
        field.blobValue ??
        arrayItems(field.arrayValue));
  });
  return object;
}

function arrayItems(array: WireArray | undefined): unknown[] {
  return array?.booleanValues ?? array?.longValues ?? array?.doubleValues ?? array?.stringValues ?? [];
}
