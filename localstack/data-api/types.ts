/** What the stand-in needs to know about a PostgreSQL type to answer the way Aurora's Data API does. */
export interface PgType {
  oid: number;
  name: string;
  /** pg_type.typcategory: B boolean, N numeric, S string, D date/time, A array, E enum, U user… */
  category: string;
  /** For arrays, the element type's name. */
  element?: string;
}

// The built-in types, so most results need no catalog lookup; anything else is read from pg_type once.
const builtins: [number, string, string, string?][] = [
  [16, "bool", "B"],
  [17, "bytea", "U"],
  [18, "char", "Z"],
  [19, "name", "S"],
  [20, "int8", "N"],
  [21, "int2", "N"],
  [23, "int4", "N"],
  [25, "text", "S"],
  [26, "oid", "N"],
  [114, "json", "U"],
  [142, "xml", "U"],
  [700, "float4", "N"],
  [701, "float8", "N"],
  [790, "money", "N"],
  [869, "inet", "I"],
  [1042, "bpchar", "S"],
  [1043, "varchar", "S"],
  [1082, "date", "D"],
  [1083, "time", "D"],
  [1114, "timestamp", "D"],
  [1184, "timestamptz", "D"],
  [1186, "interval", "T"],
  [1266, "timetz", "D"],
  [1700, "numeric", "N"],
  [2278, "void", "P"],
  [2950, "uuid", "U"],
  [3802, "jsonb", "U"],
  [705, "unknown", "X"],
  [1000, "_bool", "A", "bool"],
  [1001, "_bytea", "A", "bytea"],
  [1005, "_int2", "A", "int2"],
  [1007, "_int4", "A", "int4"],
  [1009, "_text", "A", "text"],
  [1014, "_bpchar", "A", "bpchar"],
  [1015, "_varchar", "A", "varchar"],
  [1016, "_int8", "A", "int8"],
  [1021, "_float4", "A", "float4"],
  [1022, "_float8", "A", "float8"],
  [1115, "_timestamp", "A", "timestamp"],
  [1182, "_date", "A", "date"],
  [1185, "_timestamptz", "A", "timestamptz"],
  [1231, "_numeric", "A", "numeric"],
  [199, "_json", "A", "json"],
  [2951, "_uuid", "A", "uuid"],
  [3807, "_jsonb", "A", "jsonb"],
];

export type CatalogQuery = (text: string, values: unknown[]) => Promise<{ rows: (string | null)[][] }>;

/** PostgreSQL type ids → names, learning user types (enums, domains, their arrays) as results mention them. */
export class TypeCatalog {
  private readonly types = new Map<number, PgType>(
    builtins.map(([oid, name, category, element]) => [oid, { oid, name, category, element }]),
  );

  get(oid: number): PgType {
    return this.types.get(oid) ?? { oid, name: "unknown", category: "X" };
  }

  /** Looks up, through `query`, the ids not known yet; types created since startup are found on first sight. */
  async learn(oids: number[], query: CatalogQuery): Promise<void> {
    const missing = [...new Set(oids)].filter((oid) => !this.types.has(oid));
    if (missing.length === 0) return;
    const { rows } = await query(
      `SELECT t.oid::int4, t.typname::text, t.typcategory::text, e.typname::text
         FROM pg_type t LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
        WHERE t.oid = ANY($1::oid[])`,
      [`{${missing.join(",")}}`],
    );
    for (const [oid, name, category, element] of rows) {
      if (oid === null || oid === undefined || name === null || name === undefined) continue;
      this.types.set(Number(oid), { oid: Number(oid), name, category: category ?? "X", element: element ?? undefined });
    }
  }
}

/** One statement's result, every value as PostgreSQL's text output so both backends format alike. */
export interface QueryOutput {
  rows: (string | null)[][];
  /** tableId/columnId are RowDescription's origin of a table column (0 for expressions). */
  fields: { name: string; typeId: number; tableId?: number; columnId?: number; typeModifier?: number }[];
  /** Rows inserted, updated or deleted (0 for other commands). */
  affectedRows: number;
  /** The command tag's verb: SELECT, INSERT, CREATE… */
  command?: string;
}
