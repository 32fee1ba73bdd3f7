import { describe, expect, it } from "vitest";
import { fromError } from "../../../localstack/data-api/errors.js";
import { TypeCatalog, type PgType } from "../../../localstack/data-api/types.js";
import { bindParameters, columnMetadata, executeResponse, parsePgArray, toField, UnsupportedResultError, WireError } from "../../../localstack/data-api/wire.js";

const catalog = new TypeCatalog();
const type = (oid: number): PgType => catalog.get(oid);

describe("bindParameters", () => {
  it("numbers each named parameter once and types it the way Aurora binds it", () => {
    const { text, values } = bindParameters("SELECT :a, :s, :d, :b, :a, :n, :raw", [
      { name: "a", value: { longValue: 9_007_199_254 } },
      { name: "s", value: { stringValue: "x" } },
      { name: "d", value: { doubleValue: 1.5 } },
      { name: "b", value: { booleanValue: false } },
      { name: "n", value: { isNull: true } },
      { name: "raw", value: { blobValue: Buffer.from([1, 2, 255]).toString("base64") } },
    ]);
    expect(text).toBe("SELECT $1::int8, $2, $3::float8, $4::bool, $1::int8, $5, $6::bytea");
    expect(values).toEqual(["9007199254", "x", "1.5", "false", null, Buffer.from([1, 2, 255])]);
  });

  it("casts hinted strings to the hinted type, and unhinted ones to varchar when strict", () => {
    const hints = ["JSON", "UUID", "TIMESTAMP", "DATE", "TIME", "DECIMAL"].map((typeHint, i) => ({ name: `p${i}`, typeHint, value: { stringValue: "v" } }));
    const sql = "SELECT :p0, :p1, :p2, :p3, :p4, :p5";
    expect(bindParameters(sql, hints).text).toBe("SELECT $1::jsonb, $2::uuid, $3::timestamp, $4::date, $5::time, $6::numeric");
    expect(bindParameters("SELECT :s", [{ name: "s", value: { stringValue: "v" } }], { strictStrings: true }).text).toBe("SELECT $1::varchar");
    expect(() => bindParameters("SELECT :s", [{ name: "s", typeHint: "MONEY", value: { stringValue: "1" } }])).toThrow("Invalid type hint: MONEY");
  });

  it("leaves casts, quoted text, identifiers, comments and dollar-quoted bodies alone", () => {
    const sql = `SELECT '1'::int, ':no', E'\\':no', ":no", $$ :no; $$, $f$ :no $f$ -- :no;\n, :yes /* :no /* ; */ :no */, a$b`;
    const { text, values } = bindParameters(sql, [{ name: "yes", value: { isNull: true } }]);
    expect(text).toBe(`SELECT '1'::int, ':no', E'\\':no', ":no", $$ :no; $$, $f$ :no $f$ -- :no;\n, $1 /* :no /* ; */ :no */, a$b`);
    expect(values).toEqual([null]);
  });

  it("refuses a second statement, but not a trailing semicolon or comment", () => {
    expect(() => bindParameters("SELECT 1; SELECT 2")).toThrow(/cannot insert multiple commands into a prepared statement; SQLState: 42601/);
    expect(() => bindParameters("CREATE TABLE t (a int);\nDROP TABLE t;")).toThrow(WireError);
    expect(bindParameters("SELECT ';' ; -- done\n /* really */ ").text).toBe("SELECT ';' ; -- done\n /* really */ ");
  });

  it("refuses a placeholder without a value and array parameters, as the service does", () => {
    expect(() => bindParameters("SELECT :x", [])).toThrow("No value specified for parameter: x");
    expect(() => bindParameters("SELECT :x", [{ name: "x", value: { arrayValue: { longValues: [1] } } }])).toThrow("Array parameters are not supported.");
  });
});

describe("toField", () => {
  it("answers each column type with the Field member Aurora uses", () => {
    expect(toField("t", type(16))).toEqual({ booleanValue: true });
    expect(toField("f", type(16))).toEqual({ booleanValue: false });
    expect(toField("-42", type(20))).toEqual({ longValue: -42 });
    expect(toField("7", type(21))).toEqual({ longValue: 7 });
    expect(toField("0.5", type(701))).toEqual({ doubleValue: 0.5 });
    expect(toField("NaN", type(701))).toEqual({ stringValue: "NaN" });
    expect(toField("1.10", type(1700))).toEqual({ stringValue: "1.10" });
    expect(toField("2026-01-01 00:00:00.25+00", type(1184))).toEqual({ stringValue: "2026-01-01 00:00:00.25" });
    expect(toField("2026-01-01 10:00:00", type(1114))).toEqual({ stringValue: "2026-01-01 10:00:00" });
    expect(toField('{"a": 1}', type(3802))).toEqual({ stringValue: '{"a": 1}' });
    expect(toField("\\x0102ff", type(17))).toEqual({ blobValue: "AQL/" });
    expect(toField(null, type(25))).toEqual({ isNull: true });
  });

  it("honours resultSetOptions for longs and decimals", () => {
    expect(toField("12", type(20), { longReturnType: "STRING" })).toEqual({ stringValue: "12" });
    expect(toField("12", type(1700), { decimalReturnType: "DOUBLE_OR_LONG" })).toEqual({ longValue: 12 });
    expect(toField("12.5", type(1700), { decimalReturnType: "DOUBLE_OR_LONG" })).toEqual({ doubleValue: 12.5 });
  });

  it("answers one-dimensional arrays by element type and refuses deeper ones", () => {
    expect(toField('{a,"b,c",NULL,"NULL"}', type(1009))).toEqual({ arrayValue: { stringValues: ["a", "b,c", null, "NULL"] } });
    expect(toField("{1,2}", type(1007))).toEqual({ arrayValue: { longValues: [1, 2] } });
    expect(toField("{1.5}", type(1022))).toEqual({ arrayValue: { doubleValues: [1.5] } });
    expect(toField("{t,f}", type(1000))).toEqual({ arrayValue: { booleanValues: [true, false] } });
    expect(toField("{}", type(1016))).toEqual({ arrayValue: { longValues: [] } });
    expect(() => toField("{{1,2},{3,4}}", type(1007))).toThrow(UnsupportedResultError);
  });

  it("parses array literals with quoting and escapes", () => {
    expect(parsePgArray('{a,"b,c","d\\"e"}')).toEqual(["a", "b,c", 'd"e']);
    expect(parsePgArray("{}")).toEqual([]);
  });
});

describe("executeResponse", () => {
  const output = {
    rows: [
      ["1", "x", null],
      ["2", "y", '{"k": true}'],
    ],
    fields: [
      { name: "id", typeId: 23 },
      { name: "name", typeId: 25 },
      { name: "data", typeId: 3802 },
    ],
    affectedRows: 0,
    command: "SELECT",
  };

  it("returns records, and column metadata when asked", () => {
    const response = executeResponse(output, type, { includeResultMetadata: true });
    expect(response.records).toEqual([
      [{ longValue: 1 }, { stringValue: "x" }, { isNull: true }],
      [{ longValue: 2 }, { stringValue: "y" }, { stringValue: '{"k": true}' }],
    ]);
    expect(response.numberOfRecordsUpdated).toBe(0);
    expect(response.generatedFields).toEqual([]);
    expect(response.columnMetadata?.map((c) => [c.name, c.label, c.typeName, c.type])).toEqual([
      ["id", "id", "int4", 4],
      ["name", "name", "text", 12],
      ["data", "data", "jsonb", 1111],
    ]);
    expect(executeResponse(output, type).columnMetadata).toBeUndefined();
  });

  it("formats a SELECT as one JSON string, without records or metadata", () => {
    const response = executeResponse(output, type, { formatRecordsAs: "JSON", includeResultMetadata: true });
    expect(response.records).toBeUndefined();
    expect(response.columnMetadata).toBeUndefined();
    expect(JSON.parse(response.formattedRecords ?? "")).toEqual([
      { id: 1, name: "x", data: null },
      { id: 2, name: "y", data: '{"k": true}' },
    ]);
  });

  it("ignores formatRecordsAs for other statements and reports the rows they changed", () => {
    const inserted = executeResponse({ ...output, rows: [["3", "z", null]], command: "INSERT", affectedRows: 1 }, type, { formatRecordsAs: "JSON" });
    expect(inserted.formattedRecords).toBeUndefined();
    expect(inserted.records).toEqual([[{ longValue: 3 }, { stringValue: "z" }, { isNull: true }]]);
    expect(inserted.numberOfRecordsUpdated).toBe(1);
    expect(executeResponse({ rows: [], fields: [], affectedRows: 0, command: "CREATE" }, type)).toEqual({ numberOfRecordsUpdated: 0, generatedFields: [] });
  });

  it("describes arrays with their element's JDBC type", () => {
    expect(columnMetadata("tags", type(1009))).toMatchObject({ typeName: "_text", type: 2003, arrayBaseColumnType: 12 });
    expect(columnMetadata("n", type(20))).toMatchObject({ type: -5, isSigned: true, precision: 19, arrayBaseColumnType: 0 });
  });
});

describe("fromError", () => {
  it("words PostgreSQL errors as Aurora does, with the SQLState last", () => {
    const error = fromError({ message: 'duplicate key value violates unique constraint "t_pkey"', code: "23505", detail: "Key (id)=(1) already exists." });
    expect(error.type).toBe("BadRequestException");
    expect(error.status).toBe(400);
    expect(error.message).toBe('ERROR: duplicate key value violates unique constraint "t_pkey"\n  Detail: Key (id)=(1) already exists.; SQLState: 23505');
  });

  it("reads a lost connection as an unavailable database and a bug as an internal error", () => {
    expect(fromError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toMatchObject({ type: "DatabaseUnavailableException", status: 504 });
    expect(fromError(new TypeError("oops"))).toMatchObject({ type: "InternalServerErrorException", status: 500, message: "oops" });
  });
});
