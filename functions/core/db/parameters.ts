import type { SqlParameter, TypeHint } from "@aws-sdk/client-rds-data";

/**
 * The Data API sends every string parameter as `character varying` unless it carries a type
 * hint. PostgreSQL will not compare varchar with uuid, timestamptz or jsonb, so a statement
 * such as `WHERE id = :id` fails on Aurora ("operator does not exist: uuid = character varying")
 * when `id` is a plain string. A string meant as one of those types is therefore wrapped in a
 * helper below, which sends it with its hint: `uuid(id)`, `json(value)`, `timestamp(at)`,
 * `date(day)`, `decimal(amount)`. A JavaScript Date is always sent as a TIMESTAMP.
 *
 * Two rules keep a new statement from forgetting this (see SqlParams): a parameter named `id`
 * or `…Id` must be `uuid(…)` (or `text(…)` for the rare text id), and one named `…At` must be a
 * Date or `timestamp(…)`. Anything else still fails loudly in the tests, whose Data API stand-in
 * binds plain strings as varchar exactly as Aurora does.
 */
export class SqlTyped<K extends SqlKind = SqlKind> {
  /** Use the helpers (uuid, json, timestamp, …): they check the text and pick the hint. */
  constructor(
    readonly kind: K,
    readonly text: string,
  ) {}
}

/** Each kind is a Data API type hint, or TEXT for a string sent without one (varchar). */
export type SqlKind = Exclude<TypeHint, "TIME"> | "TEXT";

export type SqlValue = string | number | bigint | boolean | null | undefined | Date | SqlTyped;

/** What an id parameter accepts: a uuid, or a text id that says so. */
export type SqlIdValue = SqlTyped<"UUID"> | SqlTyped<"TEXT"> | null | undefined;
/** What a timestamp parameter accepts; text(…) only where the SQL casts it (e.g. to keep microseconds). */
export type SqlTimestampValue = Date | SqlTyped<"TIMESTAMP"> | SqlTyped<"TEXT"> | null | undefined;

/**
 * Named parameters; `:name` in the SQL refers to each. The type checker holds every statement to
 * the naming rules: `{ id: task.id }` does not compile, `{ id: uuid(task.id) }` does.
 */
export type SqlParams = { [name: string]: SqlValue } & { id?: SqlIdValue } & { [name: `${string}Id`]: SqlIdValue } & {
  [name: `${string}At`]: SqlTimestampValue;
};

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for text PostgreSQL reads as a uuid (in its canonical 8-4-4-4-12 form). */
export const isUuid = (value: string): boolean => uuidPattern.test(value);

/** A uuid (typeHint UUID), for uuid columns. Throws on text that is not a uuid, before any SQL runs. */
export function uuid(value: string): SqlTyped<"UUID">;
export function uuid(value: string | null | undefined): SqlTyped<"UUID"> | null;
export function uuid(value: string | null | undefined): SqlTyped<"UUID"> | null {
  if (value === null || value === undefined) return null;
  if (!uuidPattern.test(value)) throw new TypeError(`Not a uuid: ${JSON.stringify(value.slice(0, 64))}`);
  return new SqlTyped("UUID", value.toLowerCase());
}

/** Any JSON value (typeHint JSON), for jsonb columns; `undefined` is stored as JSON null. Arrays too: unpack them with jsonb_array_elements_text. */
export function json(value: unknown): SqlTyped<"JSON"> {
  return new SqlTyped("JSON", JSON.stringify(value ?? null));
}

/**
 * A point in time (typeHint TIMESTAMP), for timestamptz columns; ISO 8601 text with an offset is
 * taken too. It travels as UTC wall-clock time without a zone, which PostgreSQL reads in the
 * session's time zone: UTC on Aurora (the parameter group's default) and in the stand-in.
 * The hint carries milliseconds at most.
 */
export function timestamp(value: Date | string): SqlTyped<"TIMESTAMP">;
export function timestamp(value: Date | string | null | undefined): SqlTyped<"TIMESTAMP"> | null;
export function timestamp(value: Date | string | null | undefined): SqlTyped<"TIMESTAMP"> | null {
  if (value === null || value === undefined) return null;
  const at = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(at.getTime()))
    throw new TypeError(`Not a point in time: ${JSON.stringify(String(value).slice(0, 64))}`);
  return new SqlTyped("TIMESTAMP", timestampText(at));
}

/** A calendar day (typeHint DATE), given as "YYYY-MM-DD" or as a Date read in UTC. */
export function date(value: Date | string): SqlTyped<"DATE"> {
  const text = typeof value === "string" ? value : value.toISOString().slice(0, 10);
  // Parsing rolls an impossible day (2026-02-30) over into the next month: it must come back unchanged.
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== text) {
    throw new TypeError(`Not a date (YYYY-MM-DD): ${JSON.stringify(text.slice(0, 64))}`);
  }
  return new SqlTyped("DATE", text);
}

/** An exact number (typeHint DECIMAL), for numeric columns: pass text to keep digits a double would lose. */
export function decimal(value: string | number | bigint): SqlTyped<"DECIMAL"> {
  const text = String(value);
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text))
    throw new TypeError(`Not a decimal number: ${JSON.stringify(text.slice(0, 64))}`);
  return new SqlTyped("DECIMAL", text);
}

/**
 * Plain text (varchar), said out loud where a name suggests otherwise: a text primary key called
 * `id`, or a timestamp the SQL casts itself (`:afterAt::timestamptz`) because it has microseconds,
 * which the TIMESTAMP hint cannot carry.
 */
export function text(value: string): SqlTyped<"TEXT">;
export function text(value: string | null | undefined): SqlTyped<"TEXT"> | null;
export function text(value: string | null | undefined): SqlTyped<"TEXT"> | null {
  return value === null || value === undefined ? null : new SqlTyped("TEXT", value);
}

/** Named parameters as the Data API takes them. */
export function toSqlParameters(params: SqlParams = {}): SqlParameter[] {
  return Object.entries(params).map(([name, value]) => toSqlParameter(name, value));
}

function toSqlParameter(name: string, value: SqlValue): SqlParameter {
  if (value === null || value === undefined) return { name, value: { isNull: true } };
  if (value instanceof SqlTyped) {
    const stringValue = { stringValue: value.text };
    return value.kind === "TEXT" ? { name, value: stringValue } : { name, value: stringValue, typeHint: value.kind };
  }
  if (value instanceof Date) return toSqlParameter(name, timestamp(value));
  switch (typeof value) {
    case "string":
      return { name, value: { stringValue: value } };
    case "boolean":
      return { name, value: { booleanValue: value } };
    case "bigint":
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new RangeError(
          `:${name} does not fit a Data API longValue without losing digits; pass decimal(${value}n)`,
        );
      }
      return { name, value: { longValue: Number(value) } };
    case "number":
      if (!Number.isFinite(value))
        throw new RangeError(`:${name} is ${value}, which the Data API cannot send as a number`);
      if (!Number.isInteger(value)) return { name, value: { doubleValue: value } };
      if (!Number.isSafeInteger(value))
        throw new RangeError(`:${name} is ${value}, past the integers a double holds exactly; pass decimal(…)`);
      return { name, value: { longValue: value } };
    case "object":
    case "function":
    case "symbol":
    case "undefined":
      // Objects and arrays reach here only past the type checker: say which helper they need.
      throw new TypeError(`Unsupported SQL parameter type for :${name}; wrap objects and arrays in json(…)`);
  }
}

/** The Data API's TIMESTAMP format: "YYYY-MM-DD HH:MM:SS.FFF" in UTC, without a "T" or a zone. */
function timestampText(at: Date): string {
  const iso = at.toISOString();
  if (!/^\d{4}-/.test(iso)) throw new RangeError(`${iso} is outside the years the TIMESTAMP hint can carry`);
  return iso.replace("T", " ").replace("Z", "");
}
