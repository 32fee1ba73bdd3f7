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
  // Timestamps arrive as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC: hand out ISO strings, which JSON and zod both take.
  if (typeName === "timestamptz" || typeName === "timestamp") return `${value.replace(" ", "T")}Z`;
  return value;
}
