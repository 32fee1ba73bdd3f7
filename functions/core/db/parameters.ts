import type { SqlParameter } from "@aws-sdk/client-rds-data";

export type SqlValue = string | number | bigint | boolean | null | undefined | Date | SqlJson | readonly string[];

/** Marks a value to be sent as JSON (typeHint JSON), so it lands in a jsonb column without a cast in the SQL. */
export class SqlJson {
  constructor(readonly value: unknown) {}
}
export const json = (value: unknown): SqlJson => new SqlJson(value);

export type SqlParams = Record<string, SqlValue>;

/** Named parameters as the Data API takes them; `:name` in the SQL refers to each. */
export function toSqlParameters(params: SqlParams = {}): SqlParameter[] {
  return Object.entries(params).map(([name, value]) => toSqlParameter(name, value));
}

function toSqlParameter(name: string, value: SqlValue): SqlParameter {
  if (value === null || value === undefined) return { name, value: { isNull: true } };
  if (value instanceof SqlJson) return { name, value: { stringValue: JSON.stringify(value.value) }, typeHint: "JSON" };
  if (value instanceof Date) {
    // The Data API's TIMESTAMP hint wants "YYYY-MM-DD HH:MM:SS[.fff]" in UTC, without the zone.
    return { name, value: { stringValue: value.toISOString().replace("T", " ").replace("Z", "") }, typeHint: "TIMESTAMP" };
  }
  if (Array.isArray(value)) return { name, value: { stringValue: JSON.stringify(value) }, typeHint: "JSON" };
  switch (typeof value) {
    case "string":
      return { name, value: { stringValue: value } };
    case "boolean":
      return { name, value: { booleanValue: value } };
    case "bigint":
      return { name, value: { longValue: Number(value) } };
    case "number":
      return Number.isInteger(value) ? { name, value: { longValue: value } } : { name, value: { doubleValue: value } };
    default:
      throw new TypeError(`Unsupported SQL parameter type for :${name}`);
  }
}
