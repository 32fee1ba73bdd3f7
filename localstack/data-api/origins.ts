import type { ColumnOrigin } from "./metadata.js";
import type { CatalogQuery, QueryOutput } from "./types.js";

const key = (tableId: number, columnId: number) => `${tableId}:${columnId}`;

/**
 * Table columns behind result columns (table name, NOT NULL, nextval default), read from the catalog
 * the first time a result mentions them, as pgjdbc does for ResultSetMetaData. Only consulted when the
 * caller asked for includeResultMetadata. A table altered later keeps its first answer: the cache is
 * per server, and tests that alter a table's columns mid-run are not expected.
 */
export class ColumnOrigins {
  private readonly known = new Map<string, ColumnOrigin | null>();

  get(field: QueryOutput["fields"][number]): ColumnOrigin | undefined {
    if (!field.tableId || !field.columnId) return undefined;
    return this.known.get(key(field.tableId, field.columnId)) ?? undefined;
  }

  async learn(fields: QueryOutput["fields"], query: CatalogQuery): Promise<void> {
    const missing = fields.filter((f) => f.tableId && f.columnId && !this.known.has(key(f.tableId, f.columnId)));
    if (missing.length === 0) return;
    const { rows } = await query(
      `SELECT a.attrelid::int4, a.attnum::int4, c.relname::text, a.attnotnull::text,
              (COALESCE(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%')::text
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE (a.attrelid::int8 * 100000 + a.attnum) = ANY($1::int8[])`,
      [`{${missing.map((f) => (f.tableId ?? 0) * 100000 + (f.columnId ?? 0)).join(",")}}`],
    );
    for (const field of missing) this.known.set(key(field.tableId ?? 0, field.columnId ?? 0), null);
    for (const [table, column, name, notNull, serial] of rows) {
      this.known.set(key(Number(table), Number(column)), {
        tableName: name ?? "",
        notNull: notNull === "true",
        autoIncrement: serial === "true",
      });
    }
  }
}
