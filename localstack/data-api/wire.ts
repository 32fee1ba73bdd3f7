import { pgTypes, type QueryOutput } from "./types.js";

/** A SqlParameter as the Data API's JSON protocol carries it. */
export interface WireParameter {
  name?: string;
  typeHint?: "JSON" | "UUID" | "TIMESTAMP" | "DATE" | "TIME" | "DECIMAL";
  value?: WireValue;
}
export interface WireValue {
  isNull?: boolean;
  booleanValue?: boolean;
  longValue?: number;
  doubleValue?: number;
  stringValue?: string;
  blobValue?: string;
  arrayValue?: WireArray;
}
export interface WireArray {
  booleanValues?: boolean[];
  longValues?: number[];
  doubleValues?: number[];
  stringValues?: string[];
  arrayValues?: WireArray[];
}
export type WireField = WireValue;

const casts: Record<NonNullable<WireParameter["typeHint"]>, string> = {
  JSON: "jsonb",
  UUID: "uuid",
  TIMESTAMP: "timestamp",
  DATE: "date",
  TIME: "time",
  DECIMAL: "numeric",
};

/**
 * Rewrites `:name` placeholders into `$n` (with the cast a typeHint asks for) and orders the values.
 * Quoted strings, quoted identifiers, dollar-quoted bodies, comments and `::` casts are left alone.
 */
export function bindParameters(sql: string, parameters: WireParameter[] = []): { text: string; values: unknown[] } {
  const byName = new Map(parameters.map((p) => [p.name ?? "", p]));
  const positions = new Map<string, number>();
  const values: unknown[] = [];
  let text = "";
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    const skipped = /^('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|::)/.exec(rest) ?? dollarQuoted(rest);
    if (skipped) {
      text += skipped[0];
      i += skipped[0].length;
      continue;
    }
    const named = /^:([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (named) {
      const name = named[1] as string;
      const parameter = byName.get(name);
      if (!parameter) throw new WireError(`No value specified for parameter: ${name}`);
      let position = positions.get(name);
      if (position === undefined) {
        values.push(toPgValue(parameter.value ?? { isNull: true }));
        position = values.length;
        positions.set(name, position);
      }
      text += parameter.typeHint ? `$${position}::${casts[parameter.typeHint]}` : `$${position}`;
      i += named[0].length;
      continue;
    }
    text += sql[i];
    i += 1;
  }
  return { text, values };
}

function dollarQuoted(rest: string): RegExpExecArray | null {
  const open = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest);
  if (!open) return null;
  const close = rest.indexOf(open[0], open[0].length);
  if (close < 0) return null;
  return /[\s\S]*/.exec(rest.slice(0, close + open[0].length));
}

function toPgValue(value: WireValue): unknown {
  if (value.isNull) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.longValue !== undefined) return String(value.longValue);
  if (value.doubleValue !== undefined) return String(value.doubleValue);
  if (value.booleanValue !== undefined) return value.booleanValue ? "true" : "false";
  if (value.blobValue !== undefined) return Buffer.from(value.blobValue, "base64");
  if (value.arrayValue !== undefined) return pgArrayLiteral(value.arrayValue);
  return null;
}

function pgArrayLiteral(array: WireArray): string {
  const items: unknown[] = array.stringValues ?? array.longValues ?? array.doubleValues ?? array.booleanValues ?? [];
  if (array.arrayValues) return `{${array.arrayValues.map(pgArrayLiteral).join(",")}}`;
  return `{${items.map((item) => (typeof item === "string" ? `"${item.replace(/(["\\])/g, "\\$1")}"` : String(item))).join(",")}}`;
}

/** A PostgreSQL text value as the Data API's Field union, typed by column type. */
export function toField(text: string | null, typeId: number): WireField {
  if (text === null) return { isNull: true };
  const type = pgTypes[typeId]?.name;
  switch (type) {
    case "bool":
      return { booleanValue: text === "t" || text === "true" };
    case "int2":
    case "int4":
    case "int8":
    case "oid":
      return { longValue: Number(text) };
    case "float4":
    case "float8":
      return { doubleValue: Number(text) };
    case "bytea":
      return { blobValue: Buffer.from(text.replace(/^\\x/, ""), "hex").toString("base64") };
    case "timestamptz":
      // Aurora returns timestamptz in UTC without the offset; the session runs in UTC.
      return { stringValue: text.replace(/([+-]\d\d(:\d\d)?)$/, "") };
    case "_bool":
      return { arrayValue: { booleanValues: parsePgArray(text).map((v) => v === "t") } };
    case "_int2":
    case "_int4":
    case "_int8":
      return { arrayValue: { longValues: parsePgArray(text).map(Number) } };
    case "_float4":
    case "_float8":
      return { arrayValue: { doubleValues: parsePgArray(text).map(Number) } };
    case "_text":
    case "_varchar":
      return { arrayValue: { stringValues: parsePgArray(text) } };
    default:
      return { stringValue: text };
  }
}

/** One-dimensional PostgreSQL array literal → its elements' text. */
export function parsePgArray(text: string): string[] {
  const inner = text.slice(1, -1);
  if (inner === "") return [];
  const items: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i] as string;
    if (quoted) {
      if (ch === "\\") current += inner[++i] ?? "";
      else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      items.push(current);
      current = "";
    } else current += ch;
  }
  items.push(current);
  return items;
}

export interface ExecuteResponse {
  records?: WireField[][];
  columnMetadata?: Record<string, unknown>[];
  numberOfRecordsUpdated: number;
  generatedFields: WireField[];
  formattedRecords?: string;
}

/** What ExecuteStatement answers for one query result, honouring includeResultMetadata and formatRecordsAs. */
export function executeResponse(output: QueryOutput, options: { includeResultMetadata?: boolean; formatRecordsAs?: string }): ExecuteResponse {
  const isQuery = output.fields.length > 0;
  const response: ExecuteResponse = {
    numberOfRecordsUpdated: isQuery && output.command === "SELECT" ? 0 : output.affectedRows,
    generatedFields: [],
  };
  if (!isQuery) return response;
  if (options.formatRecordsAs === "JSON") {
    response.formattedRecords = JSON.stringify(output.rows.map((row) => jsonRecord(row, output.fields)));
  } else {
    response.records = output.rows.map((row) => row.map((value, index) => toField(value, output.fields[index]?.typeId ?? 25)));
  }
  if (options.includeResultMetadata) response.columnMetadata = output.fields.map(columnMetadata);
  return response;
}

function jsonRecord(row: (string | null)[], fields: QueryOutput["fields"]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  fields.forEach((field, index) => {
    const value = toField(row[index] ?? null, field.typeId);
    record[field.name] = value.isNull
      ? null
      : value.longValue ?? value.doubleValue ?? value.booleanValue ?? value.stringValue ?? value.blobValue ?? Object.values(value.arrayValue ?? {})[0];
  });
  return record;
}

function columnMetadata(field: { name: string; typeId: number }): Record<string, unknown> {
  const type = pgTypes[field.typeId] ?? { name: "unknown", jdbc: 1111 };
  return {
    name: field.name,
    label: field.name,
    typeName: type.name,
    type: type.jdbc,
    nullable: 2,
    isSigned: ["int2", "int4", "int8", "float4", "float8", "numeric"].includes(type.name),
    isAutoIncrement: false,
    isCaseSensitive: true,
    isCurrency: false,
    precision: 0,
    scale: 0,
    arrayBaseColumnType: 0,
    schemaName: "",
    tableName: "",
  };
}

export class WireError extends Error {}
