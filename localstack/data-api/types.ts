/** PostgreSQL type ids the stand-in knows by name; anything else is reported as its text. */
export const pgTypes: Record<number, { name: string; jdbc: number }> = {
  16: { name: "bool", jdbc: -7 },
  17: { name: "bytea", jdbc: -2 },
  18: { name: "char", jdbc: 1 },
  19: { name: "name", jdbc: 12 },
  20: { name: "int8", jdbc: -5 },
  21: { name: "int2", jdbc: 5 },
  23: { name: "int4", jdbc: 4 },
  25: { name: "text", jdbc: 12 },
  26: { name: "oid", jdbc: -5 },
  114: { name: "json", jdbc: 1111 },
  700: { name: "float4", jdbc: 7 },
  701: { name: "float8", jdbc: 8 },
  1000: { name: "_bool", jdbc: 2003 },
  1005: { name: "_int2", jdbc: 2003 },
  1007: { name: "_int4", jdbc: 2003 },
  1009: { name: "_text", jdbc: 2003 },
  1015: { name: "_varchar", jdbc: 2003 },
  1016: { name: "_int8", jdbc: 2003 },
  1021: { name: "_float4", jdbc: 2003 },
  1022: { name: "_float8", jdbc: 2003 },
  1042: { name: "bpchar", jdbc: 1 },
  1043: { name: "varchar", jdbc: 12 },
  1082: { name: "date", jdbc: 91 },
  1083: { name: "time", jdbc: 92 },
  1114: { name: "timestamp", jdbc: 93 },
  1184: { name: "timestamptz", jdbc: 93 },
  1186: { name: "interval", jdbc: 1111 },
  1700: { name: "numeric", jdbc: 2 },
  2278: { name: "void", jdbc: 1111 },
  2950: { name: "uuid", jdbc: 1111 },
  3802: { name: "jsonb", jdbc: 1111 },
};

export interface QueryOutput {
  /** Column values as PostgreSQL's text representation (null for SQL NULL). */
  rows: (string | null)[][];
  fields: { name: string; typeId: number }[];
  affectedRows: number;
  command?: string;
}
