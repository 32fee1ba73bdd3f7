import type { PgType, QueryOutput } from "./types.js";

/** A Field union as the Data API's JSON carries it (blobValue is base64 on the wire). */
export interface WireField {
  isNull?: boolean;
  booleanValue?: boolean;
  longValue?: number;
  doubleValue?: number;
  stringValue?: string;
  blobValue?: string;
  arrayValue?: WireArray;
}
export interface WireArray {
  booleanValues?: (boolean | null)[];
  longValues?: (number | null)[];
  doubleValues?: (number | null)[];
  stringValues?: (string | null)[];
  arrayValues?: WireArray[];
}
export interface WireParameter {
  name?: string;
  typeHint?: string;
  value?: WireField;
}
export interface ResultSetOptions {
  decimalReturnType?: string;
  longReturnType?: string;
}

/** A request the Data API itself refuses before PostgreSQL sees it (answered as BadRequestException). */
export class WireError extends Error {}

/** A result the Data API cannot express (answered as UnsupportedResultException). */
export class UnsupportedResultError extends Error {}

// Aurora sends a hinted string as a value of that type; an explicit cast gives PostgreSQL the same type.
const hintCasts: Record<string, string> = {
  JSON: "jsonb",
  UUID: "uuid",
  TIMESTAMP: "timestamp",
  DATE: "date",
  TIME: "time",
  DECIMAL: "numeric",
};

export interface BindOptions {
  /**
   * Aurora binds an unhinted stringValue as varchar, so `uuid_column = :id` fails there with
   * "operator does not exist: uuid = character varying". True reproduces that; false leaves the
   * type to PostgreSQL's inference, which accepts such SQL.
   */
  strictStrings?: boolean;
}

/**
 * Rewrites `:name` placeholders into `$n` and orders their values. Each placeholder carries the type
 * Aurora's JDBC driver binds it with (`::int8` for longValue, the hint's type for a hinted string…),
 * so type mismatches fail here as they fail on AWS. Quoted strings and identifiers, dollar-quoted
 * bodies, comments and `::` casts are left alone, and a second statement after a `;` is refused as
 * the Data API refuses it.
 */
export function bindParameters(sql: string, parameters: WireParameter[] = [], options: BindOptions = {}): { text: string; values: unknown[] } {
  const byName = new Map<string, WireParameter>();
  for (const parameter of parameters) if (parameter.name !== undefined && !byName.has(parameter.name)) byName.set(parameter.name, parameter);
  const positions = new Map<string, string>();
  const values: unknown[] = [];
  let text = "";
  let ended = false;
  for (const token of tokens(sql)) {
    if (ended && token.kind !== "space" && token.kind !== "comment") {
      throw new WireError("ERROR: cannot insert multiple commands into a prepared statement; SQLState: 42601");
    }
    if (token.kind === "semicolon") ended = true;
    if (token.kind !== "parameter") {
      text += token.text;
      continue;
    }
    const name = token.text.slice(1);
    let placeholder = positions.get(name);
    if (placeholder === undefined) {
      const parameter = byName.get(name);
      if (!parameter) throw new WireError(`No value specified for parameter: ${name}`);
      const bound = bindValue(parameter, options.strictStrings === true);
      values.push(bound.value);
      placeholder = bound.cast ? `$${values.length}::${bound.cast}` : `$${values.length}`;
      positions.set(name, placeholder);
    }
    text += placeholder;
  }
  return { text, values };
}

function bindValue(parameter: WireParameter, strictStrings: boolean): { value: unknown; cast?: string } {
  const value = parameter.value ?? { isNull: true };
  if (value.isNull) return { value: null };
  if (value.stringValue !== undefined) {
    if (parameter.typeHint === undefined) return strictStrings ? { value: value.stringValue, cast: "varchar" } : { value: value.stringValue };
    const cast = hintCasts[parameter.typeHint];
    if (!cast) throw new WireError(`Invalid type hint: ${parameter.typeHint}`);
    return { value: value.stringValue, cast };
  }
  if (value.longValue !== undefined) return { value: String(value.longValue), cast: "int8" };
  if (value.doubleValue !== undefined) return { value: String(value.doubleValue), cast: "float8" };
  if (value.booleanValue !== undefined) return { value: value.booleanValue ? "true" : "false", cast: "bool" };
  if (value.blobValue !== undefined) return { value: Buffer.from(value.blobValue, "base64"), cast: "bytea" };
  if (value.arrayValue !== undefined) throw new WireError("Array parameters are not supported.");
  return { value: null };
}

type TokenKind = "quoted" | "comment" | "space" | "cast" | "parameter" | "semicolon" | "other";

/** Splits SQL into the pieces placeholder rewriting and statement counting must tell apart. */
function* tokens(sql: string): Generator<{ kind: TokenKind; text: string }> {
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    const ch = sql[i] as string;
    const previous = i > 0 ? (sql[i - 1] as string) : "";
    let match: { kind: TokenKind; text: string } | undefined;
    if (ch === "'") {
      // E'…' strings escape with backslashes; standard strings only by doubling the quote.
      const escaped = /[eE]/.test(previous) && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? "");
      match = { kind: "quoted", text: (escaped ? /^'(?:[^'\\]|\\[\s\S]|'')*'?/ : /^'(?:[^']|'')*'?/).exec(rest)?.[0] ?? rest };
    } else if (ch === '"') match = { kind: "quoted", text: /^"(?:[^"]|"")*"?/.exec(rest)?.[0] ?? rest };
    else if (rest.startsWith("--")) match = { kind: "comment", text: /^--[^\n]*/.exec(rest)?.[0] ?? rest };
    else if (rest.startsWith("/*")) match = { kind: "comment", text: blockComment(rest) };
    else if (ch === "$" && !/[A-Za-z0-9_$]/.test(previous)) {
      const body = dollarQuoted(rest);
      if (body) match = { kind: "quoted", text: body };
    } else if (rest.startsWith("::")) match = { kind: "cast", text: "::" };
    else if (ch === ":") {
      const named = /^:[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
      if (named) match = { kind: "parameter", text: named[0] };
    } else if (ch === ";") match = { kind: "semicolon", text: ";" };
    else if (/\s/.test(ch)) match = { kind: "space", text: /^\s+/.exec(rest)?.[0] ?? ch };
    match ??= { kind: "other", text: /^[A-Za-z0-9_]+/.exec(rest)?.[0] ?? ch };
    yield match;
    i += match.text.length;
  }
}

// PostgreSQL block comments nest.
function blockComment(rest: string): string {
  let depth = 0;
  for (let i = 0; i < rest.length - 1; i++) {
    if (rest.startsWith("/*", i)) {
      depth++;
      i++;
    } else if (rest.startsWith("*/", i)) {
      depth--;
      i++;
      if (depth === 0) return rest.slice(0, i + 1);
    }
  }
  return rest;
}

function dollarQuoted(rest: string): string | undefined {
  const open = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest);
  if (!open) return undefined;
  const close = rest.indexOf(open[0], open[0].length);
  return close < 0 ? rest : rest.slice(0, close + open[0].length);
}

const longTypes = new Set(["int2", "int4", "int8", "oid"]);
const doubleTypes = new Set(["float4", "float8"]);

/** One PostgreSQL text value as the Field union Aurora returns for its column type. */
export function toField(text: string | null, type: PgType, options: ResultSetOptions = {}): WireField {
  if (text === null) return { isNull: true };
  if (type.name === "bool") return { booleanValue: text === "t" || text === "true" };
  if (longTypes.has(type.name)) return options.longReturnType === "STRING" ? { stringValue: text } : { longValue: Number(text) };
  if (doubleTypes.has(type.name)) return finite(text);
  if (type.name === "numeric" && options.decimalReturnType === "DOUBLE_OR_LONG") {
    return /^-?\d+$/.test(text) ? { longValue: Number(text) } : finite(text);
  }
  if (type.name === "bytea") return { blobValue: Buffer.from(text.replace(/^\\x/, ""), "hex").toString("base64") };
  // Aurora answers timestamptz in UTC without the offset; the session zone is UTC.
  if (type.name === "timestamptz") return { stringValue: text.replace(/[+-]\d\d(:\d\d){0,2}$/, "") };
  if (type.category === "A") return { arrayValue: toArray(text, type.element ?? "text") };
  return { stringValue: text };
}

function finite(text: string): WireField {
  const value = Number(text);
  return Number.isFinite(value) ? { doubleValue: value } : { stringValue: text };
}

function toArray(text: string, element: string): WireArray {
  // Text output of arrays with non-default bounds starts with "[1:2]={…}".
  const literal = text.replace(/^\[[^\]]*\]=/, "");
  if (literal.startsWith("{{")) throw new UnsupportedResultError("The result contains a multidimensional array, which the Data API does not support.");
  const items = parsePgArray(literal);
  if (element === "bool") return { booleanValues: items.map((v) => (v === null ? null : v === "t")) };
  if (longTypes.has(element)) return { longValues: items.map((v) => (v === null ? null : Number(v))) };
  if (doubleTypes.has(element)) return { doubleValues: items.map((v) => (v === null ? null : Number(v))) };
  if (element === "timestamptz") return { stringValues: items.map((v) => (v === null ? null : v.replace(/[+-]\d\d(:\d\d){0,2}$/, ""))) };
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
export function executeResponse(output: QueryOutput, typeOf: (oid: number) => PgType, options: ExecuteOptions = {}): ExecuteResponse {
  const response: ExecuteResponse = { numberOfRecordsUpdated: output.affectedRows, generatedFields: [] };
  if (output.fields.length === 0) return response;
  const types = output.fields.map((field) => typeOf(field.typeId));
  const records = output.rows.map((row) => types.map((type, index) => toField(row[index] ?? null, type, options)));
  if (options.formatRecordsAs === "JSON" && output.command === "SELECT") {
    response.formattedRecords = JSON.stringify(records.map((record) => jsonRecord(record, output.fields)));
    return response;
  }
  response.records = records;
  if (options.includeResultMetadata) response.columnMetadata = output.fields.map((field, index) => columnMetadata(field.name, types[index] ?? typeOf(field.typeId)));
  return response;
}

/** A record as formattedRecords has it: numbers and booleans as JSON, blobs as base64, everything else a string. */
function jsonRecord(record: WireField[], fields: QueryOutput["fields"]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  record.forEach((field, index) => {
    const name = fields[index]?.name ?? `column${index}`;
    object[name] = field.isNull ? null : (field.longValue ?? field.doubleValue ?? field.booleanValue ?? field.stringValue ?? field.blobValue ?? arrayItems(field.arrayValue));
  });
  return object;
}

function arrayItems(array: WireArray | undefined): unknown[] {
  return array?.booleanValues ?? array?.longValues ?? array?.doubleValues ?? array?.stringValues ?? [];
}

export interface ColumnMetadata {
  name: string;
  label: string;
  typeName: string;
  type: number;
  nullable: number;
  isSigned: boolean;
  isAutoIncrement: boolean;
  isCaseSensitive: boolean;
  isCurrency: boolean;
  precision: number;
  scale: number;
  arrayBaseColumnType: number;
  schemaName: string;
  tableName: string;
}

// java.sql.Types codes as the PostgreSQL JDBC driver behind the Data API reports them.
const jdbcTypes: Record<string, number> = {
  bool: -7,
  bytea: -2,
  char: 1,
  bpchar: 1,
  name: 12,
  text: 12,
  varchar: 12,
  int2: 5,
  int4: 4,
  int8: -5,
  oid: -5,
  float4: 7,
  float8: 8,
  money: 8,
  numeric: 2,
  date: 91,
  time: 92,
  timetz: 92,
  timestamp: 93,
  timestamptz: 93,
  xml: 2009,
};
const precisions: Record<string, [number, number]> = {
  bool: [1, 0],
  int2: [5, 0],
  int4: [10, 0],
  int8: [19, 0],
  oid: [10, 0],
  float4: [8, 8],
  float8: [17, 17],
  date: [13, 0],
  time: [15, 6],
  timetz: [21, 6],
  timestamp: [29, 6],
  timestamptz: [35, 6],
  text: [2147483647, 0],
  varchar: [2147483647, 0],
  bpchar: [2147483647, 0],
  bytea: [2147483647, 0],
  json: [2147483647, 0],
  jsonb: [2147483647, 0],
  uuid: [2147483647, 0],
};

const jdbcType = (type: PgType) => (type.category === "A" ? 2003 : (jdbcTypes[type.name] ?? 1111));

/**
 * Column metadata in the Data API's shape. Without the table behind a column (PGlite does not
 * report it) nullability is "unknown" (2) and schemaName/tableName are empty.
 */
export function columnMetadata(name: string, type: PgType): ColumnMetadata {
  const [precision, scale] = precisions[type.name] ?? [0, 0];
  return {
    name,
    label: name,
    typeName: type.name,
    type: jdbcType(type),
    nullable: 2,
    isSigned: type.category === "N",
    isAutoIncrement: false,
    isCaseSensitive: type.category === "S" || type.category === "E",
    isCurrency: type.name === "money",
    precision,
    scale,
    arrayBaseColumnType: type.category === "A" ? (jdbcTypes[type.element ?? ""] ?? 1111) : 0,
    schemaName: "",
    tableName: "",
  };
}
