/**
 * The shell's backslash commands, psql's names for them. Each becomes one query on PostgreSQL's
 * own catalogue, cast to text since the Data API refuses the catalogue's `name` arrays and domains.
 */
export const listTables = `SELECT n.nspname::text AS schema, c.relname::text AS name,
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
    WHEN 'm' THEN 'materialized view' ELSE c.relkind::text END AS type
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY 1, 2`;

/** `\d <table>`: its columns; the name goes in as a string literal (quotes doubled), since `:name` would be a parameter. */
export function describeTable(table: string): string {
  const literal = `'${table.replace(/'/g, "''")}'`;
  return `SELECT a.attname::text AS column, format_type(a.atttypid, a.atttypmod) AS type,
  CASE WHEN a.attnotnull THEN 'not null' ELSE '' END AS nullable,
  coalesce(pg_get_expr(d.adbin, d.adrelid), '') AS default
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = ${literal}::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;
}

export const help = `SQL ends with ; and may span lines. Each statement is one Data API call.
  \\dt          list tables
  \\d <table>   describe a table's columns
  \\q           quit (or Ctrl-D); Ctrl-C clears the statement being typed
  BEGIN; … COMMIT; / ROLLBACK;  one Data API transaction (rolled back after 3 minutes idle)`;

export type Meta =
  { kind: "quit" } | { kind: "help" } | { kind: "sql"; sql: string } | { kind: "unknown"; text: string };

/** What a line starting with a backslash asks for. */
export function metaCommand(line: string): Meta {
  const [command = "", ...rest] = line.trim().split(/\s+/);
  const argument = rest.join(" ");
  if (command === "\\q") return { kind: "quit" };
  if (command === "\\?" || command === "\\h") return { kind: "help" };
  if (command === "\\dt" && !argument) return { kind: "sql", sql: listTables };
  if (command === "\\d" && argument) return { kind: "sql", sql: describeTable(argument) };
  if (command === "\\d") return { kind: "sql", sql: listTables };
  return { kind: "unknown", text: line.trim() };
}
