import type { ArrayValue, ColumnMetadata, ExecuteStatementCommandOutput, Field } from "@aws-sdk/client-rds-data";

/** What one statement answered, ready to print: rows under named columns, or a count of changed rows. */
export type StatementResult =
  | { kind: "rows"; columns: string[]; rows: (string | null)[][]; rightAligned: boolean[] }
  | { kind: "done"; updated: number };

/** The Data API's answer (with includeResultMetadata) as text cells; NULL stays null so the table can show it apart. */
export function toStatementResult(
  output: Pick<ExecuteStatementCommandOutput, "columnMetadata" | "records" | "numberOfRecordsUpdated">,
): StatementResult {
  const metadata = output.columnMetadata ?? [];
  if (metadata.length === 0) return { kind: "done", updated: output.numberOfRecordsUpdated ?? 0 };
  const rows = (output.records ?? []).map((record) => record.map(fieldText));
  return { kind: "rows", columns: metadata.map(columnName), rows, rightAligned: metadata.map(isNumeric) };
}

function columnName(column: ColumnMetadata): string {
  return column.label ?? column.name ?? "?column?";
}

// psql's habit: numbers line up on the right, everything else on the left.
function isNumeric(column: ColumnMetadata): boolean {
  return /^(int[248]?|smallint|bigint|integer|serial|bigserial|numeric|decimal|float[48]|real|double precision|oid)$/i.test(
    column.typeName ?? "",
  );
}

export function fieldText(field: Field): string | null {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined) return String(field.longValue);
  if (field.doubleValue !== undefined) return String(field.doubleValue);
  if (field.booleanValue !== undefined) return field.booleanValue ? "t" : "f";
  // bytea as psql prints it (hex output).
  if (field.blobValue !== undefined) return `\\x${Buffer.from(field.blobValue).toString("hex")}`;
  if (field.arrayValue !== undefined) return arrayText(field.arrayValue);
  return null;
}

function arrayText(array: ArrayValue): string {
  const items =
    array.arrayValues?.map((inner) => (inner ? arrayText(inner) : "NULL")) ??
    (array.stringValues ?? array.longValues ?? array.doubleValues ?? array.booleanValues ?? []).map((value) =>
      value === null || value === undefined ? "NULL" : typeof value === "boolean" ? (value ? "t" : "f") : String(value),
    );
  return `{${items.join(",")}}`;
}

const width = (text: string) => [...text].length;

/** One cell on one line: a newline inside a value would break the table's columns. */
const cellText = (value: string | null) => (value === null ? "NULL" : value.replace(/\r?\n/g, "\\n"));

/**
 * psql's aligned format:
 *
 *  id | name
 * ----+-------
 *   1 | alice
 * (1 row)
 */
export function renderResult(result: StatementResult): string {
  if (result.kind === "done") return result.updated > 0 ? `OK, ${plural(result.updated, "row")} changed` : "OK";
  const cells = result.rows.map((row) => row.map(cellText));
  const widths = result.columns.map((column, i) => Math.max(width(column), ...cells.map((row) => width(row[i] ?? ""))));
  const pad = (text: string, i: number, right: boolean) => {
    const room = " ".repeat((widths[i] ?? 0) - width(text));
    return right ? room + text : text + room;
  };
  const header = result.columns.map((column, i) => centre(column, widths[i] ?? 0));
  const line = (row: string[]) => ` ${row.join(" | ")}`.replace(/\s+$/, "");
  return [
    line(header),
    widths.map((w) => "-".repeat(w + 2)).join("+"),
    ...cells.map((row) => line(row.map((cell, i) => pad(cell, i, result.rightAligned[i] ?? false)))),
    `(${plural(result.rows.length, "row")})`,
  ].join("\n");
}

function centre(text: string, size: number): string {
  const room = size - width(text);
  const left = Math.floor(room / 2);
  return " ".repeat(left) + text + " ".repeat(room - left);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
