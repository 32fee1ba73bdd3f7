import type { ColumnMetadata, Field } from "@aws-sdk/client-rds-data";

export type Row = Record<string, unknown>;

/** Turns the Data API's positional Field unions into plain objects keyed by column label. */
export function toRows(records: Field[][] | undefined, columns: ColumnMetadata[] | undefined): Row[] {
  if (!records || records.length === 0) return [];
  const names = (columns ?? []).map((column, index) => column.label ?? column.name ?? `column${index}`);
  const types = (columns ?? []).map((column) => (column.typeName ?? "").toLowerCase());
  return records.map((record) => {
    const row: Row = {};
    record.forEach((field, index) => {
      row[names[index] ?? `column${index}`] = fromField(field, types[index] ?? "");
    });
    return row;
  });
}

function fromField(field: Field, typeName: string): unknown {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return fromString(field.stringValue, typeName);
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.blobValue !== undefined) return field.blobValue;
  if (field.arrayValue !== undefined) {
    const array = field.arrayValue;
    return array.stringValues ?? array.longValues ?? array.doubleValues ?? array.booleanValues ?? [];
  }
  return null;
}

function fromString(value: string, typeName: string): unknown {
  if (typeName === "json" || typeName === "jsonb") return JSON.parse(value);
  if (typeName === "timestamptz" || typeName === "timestamp") return isoTimestamp(value);
  return value;
}

/**
 * The Data API answers timestamps as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC, without a zone: hand
 * out ISO 8601 ("…T…Z"), which Date.parse, JSON and zod all take. Text in any other shape
 * ("infinity", a BC date, a value that already names its zone) is passed on as it came.
 */
function isoTimestamp(value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(value);
  return match ? `${match[1]}T${match[2]}Z` : value;
}
