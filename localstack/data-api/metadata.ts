import type { PgType } from "./types.js";

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
const unknownLength = 2147483647;
// Fixed precisions as pgjdbc's TypeInfoCache.getPrecision gives them; types not listed report unknownLength.
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
};
// pgjdbc's TypeInfoCache.isCaseSensitive: false for numbers, booleans and dates/times, true for the rest.
const caseInsensitive = new Set([
  "oid",
  "int2",
  "int4",
  "int8",
  "float4",
  "float8",
  "numeric",
  "bool",
  "bit",
  "varbit",
  "date",
  "time",
  "timetz",
  "timestamp",
  "timestamptz",
  "interval",
]);

/** Where a result column comes from, when it is a table column (from RowDescription and pg_attribute). */
export interface ColumnOrigin {
  tableName: string;
  notNull: boolean;
  /** A column defaulting to nextval(): pgjdbc then names int4/int8 "serial"/"bigserial". */
  autoIncrement: boolean;
}

const jdbcType = (type: PgType) => (type.category === "A" ? 2003 : (jdbcTypes[type.name] ?? 1111));

function precisionOf(type: PgType, typeModifier: number): [number, number] {
  if (type.name === "numeric")
    return typeModifier < 0 ? [0, 0] : [((typeModifier - 4) >> 16) & 0xffff, (typeModifier - 4) & 0xffff];
  if (["varchar", "bpchar"].includes(type.name)) return [typeModifier < 0 ? unknownLength : typeModifier - 4, 0];
  const fixed = precisions[type.name];
  if (fixed && ["time", "timetz", "timestamp", "timestamptz"].includes(type.name) && typeModifier >= 0)
    return [fixed[0] - 6 + typeModifier, typeModifier];
  return fixed ?? [unknownLength, 0];
}

/**
 * Column metadata in the Data API's shape, as pgjdbc's ResultSetMetaData reports it. Observed on AWS
 * for a text[] table column (koxudaxi/local-data-api#128): arrayBaseColumnType 0, tableName filled,
 * schemaName empty, nullable the column's own (0 NOT NULL, 1 nullable), precision 2147483647,
 * isCaseSensitive true. An expression column is nullable (1), as pgjdbc answers without a table column.
 */
export function columnMetadata(name: string, type: PgType, origin?: ColumnOrigin, typeModifier = -1): ColumnMetadata {
  const [precision, scale] = precisionOf(type, typeModifier);
  const serial = origin?.autoIncrement === true && (type.name === "int4" || type.name === "int8");
  return {
    name,
    label: name,
    typeName: serial ? (type.name === "int4" ? "serial" : "bigserial") : type.name,
    type: jdbcType(type),
    nullable: origin?.notNull ? 0 : 1,
    isSigned: type.category === "N",
    isAutoIncrement: origin?.autoIncrement ?? false,
    isCaseSensitive: type.category === "A" || !caseInsensitive.has(type.name),
    isCurrency: type.name === "money",
    precision,
    scale,
    arrayBaseColumnType: 0,
    schemaName: "",
    tableName: origin?.tableName ?? "",
  };
}
