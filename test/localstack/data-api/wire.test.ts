import { describe, expect, it } from "vitest";
import { fromError } from "../../../localstack/data-api/errors.js";
import { TypeCatalog, type PgType } from "../../../localstack/data-api/types.js";
import {
  bindParameters,
  columnMetadata,
  ExactInteger,
  executeResponse,
  InternalFailureError,
  parsePgArray,
  toField,
  toJson,
  UnsupportedResultError,
  ValidationError,
  WireError,
} from "../../../localstack/data-api/wire.js";

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
    expect(text).toBe("SELECT $1::int8, $2::varchar, $3::float8, $4::bool, $1::int8, $5, $6::bytea");
    expect(values).toEqual(["9007199254", "x", "1.5", "false", null, Buffer.from([1, 2, 255])]);
  });

  it("casts hinted strings to the hinted type, and unhinted ones to varchar always", () => {
    const samples = {
      JSON: '{"a":1}',
      UUID: "5B2D9C39-8a5e-4a53-9f4e-6f1d2a8b7c01",
      TIMESTAMP: "2026-01-02 03:04:05.678",
      DATE: "2024-02-29",
      TIME: "23:59:59",
      DECIMAL: "-12.50e3",
    };
    const hints = Object.entries(samples).map(([typeHint, stringValue], i) => ({
      name: `p${i}`,
      typeHint,
      value: { stringValue },
    }));
    const sql = "SELECT :p0, :p1, :p2, :p3, :p4, :p5";
    expect(bindParameters(sql, hints).text).toBe(
      "SELECT $1::jsonb, $2::uuid, $3::timestamp, $4::date, $5::time, $6::numeric",
    );
    expect(bindParameters("SELECT :s", [{ name: "s", value: { stringValue: "v" } }]).text).toBe("SELECT $1::varchar");
    expect(() => bindParameters("SELECT :s", [{ name: "s", typeHint: "MONEY", value: { stringValue: "1" } }])).toThrow(
      "Invalid type hint: MONEY",
    );
    expect(() => bindParameters("SELECT :s", [{ name: "s", typeHint: "UUID", value: { longValue: 1 } }])).toThrow(
      WireError,
    );
  });

  it("refuses hinted values outside the documented formats", () => {
    const bad: [string, string][] = [
      ["TIMESTAMP", "2026-01-02T03:04:05"],
      ["TIMESTAMP", "2026-01-02 03:04:05+00"],
      ["TIMESTAMP", "2026-01-02 03:04:05Z"],
      ["TIMESTAMP", "2026-01-02 03:04:05.1234"],
      ["TIMESTAMP", "2026-01-02"],
      ["DATE", "2026-1-2"],
      ["DATE", "2026-02-29"],
      ["TIME", "3:04:05"],
      ["TIME", "24:00:00"],
      ["UUID", "5b2d9c398a5e4a539f4e6f1d2a8b7c01"],
      ["DECIMAL", "NaN"],
      ["DECIMAL", "1,5"],
      ["JSON", "{'a': 1}"],
    ];
    for (const [typeHint, stringValue] of bad) {
      expect(
        () => bindParameters("SELECT :v", [{ name: "v", typeHint, value: { stringValue } }]),
        `${typeHint} ${stringValue}`,
      ).toThrow(
        new WireError(
          `Invalid ${typeHint} value for parameter v: '${stringValue}'. The accepted format is ${{ TIMESTAMP: "YYYY-MM-DD HH:MM:SS[.FFF]", DATE: "YYYY-MM-DD", TIME: "HH:MM:SS[.FFF]", UUID: "a uuid (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", DECIMAL: "a decimal number", JSON: "a JSON document" }[typeHint]}.`,
        ),
      );
    }
  });

  it("takes names of letters, digits and underscores, including all-digit names", () => {
    const { text, values } = bindParameters("SELECT :0, :1, :a_1, :0, x[1:2]", [
      { name: "0", value: { longValue: 5 } },
      { name: "1", value: { stringValue: "s" } },
      { name: "a_1", value: { booleanValue: true } },
      { name: "2", value: { longValue: 2 } },
    ]);
    expect(text).toBe("SELECT $1::int8, $2::varchar, $3::bool, $1::int8, x[1$4::int8]");
    expect(values).toEqual(["5", "s", "true", "2"]);
  });

  it("leaves casts, quoted text, identifiers, comments and dollar-quoted bodies alone", () => {
    const sql = `SELECT '1'::int, ':no', E'\\':no', (e'\\\\':yes), ":no", $$ x:=1; $$, $f$ a::int $f$ -- :no;\n, :yes /* :no /* ; */ :no */, a$b, 'it''s :no'`;
    const { text, values } = bindParameters(sql, [{ name: "yes", value: { isNull: true } }]);
    expect(text).toBe(
      `SELECT '1'::int, ':no', E'\\':no', (e'\\\\'$1), ":no", $$ x:=1; $$, $f$ a::int $f$ -- :no;\n, $1 /* :no /* ; */ :no */, a$b, 'it''s :no'`,
    );
    expect(values).toEqual([null]);
  });

  it("never substitutes inside E'…' strings, whatever precedes them", () => {
    for (const sql of ["SELECT E'\\' :no'", "SELECT(e'\\':no')", "SELECT 1,E'a\\''':no'", "SELECT x||e'\\\\\\':no'"]) {
      expect(bindParameters(sql, []).text, sql).toBe(sql);
    }
    // An identifier ending in e before a quote is not an E string: the quote opens a standard one.
    expect(() => bindParameters("SELECT some'\\':yes'", [])).toThrow("No value specified for parameter: yes");
  });

  it("refuses ':name' inside a dollar-quoted body, which the live service would substitute", () => {
    expect(() => bindParameters("SELECT $$a :b c$$", [{ name: "b", value: { longValue: 1 } }])).toThrow(WireError);
    expect(() => bindParameters("DO $body$ BEGIN PERFORM '12:00'; END $body$", [])).toThrow(/dollar-quoted/);
  });

  it("refuses a second statement, but not a trailing semicolon or comment", () => {
    expect(() => bindParameters("SELECT 1; SELECT 2")).toThrow(
      new ValidationError("Multistatements aren't supported."),
    );
    expect(() => bindParameters("CREATE TABLE t (a int);\nDROP TABLE t;")).toThrow(ValidationError);
    expect(bindParameters("SELECT ';' ; -- done\n /* really */ ").text).toBe("SELECT ';' ; -- done\n /* really */ ");
  });

  it("refuses a placeholder without a value and array parameters, as the service does", () => {
    expect(() => bindParameters("SELECT :x", [])).toThrow("No value specified for parameter: x");
    expect(() => bindParameters("SELECT :x", [{ name: "x", value: { arrayValue: { longValues: [1] } } }])).toThrow(
      "Array parameters are not supported.",
    );
  });
});

describe("toField", () => {
  it("answers each column type with the Field member Aurora uses", () => {
    expect(toField("t", type(16))).toEqual({ booleanValue: true });
    expect(toField("f", type(16))).toEqual({ booleanValue: false });
    expect(toField("-42", type(20))).toEqual({ longValue: -42 });
    expect(toField("7", type(21))).toEqual({ longValue: 7 });
    expect(toField("0.5", type(701))).toEqual({ doubleValue: 0.5 });
    expect(toField("NaN", type(701))).toEqual({ doubleValue: "NaN" });
    expect(toField("-Infinity", type(700))).toEqual({ doubleValue: "-Infinity" });
    expect(toField("NaN", type(1700))).toEqual({ stringValue: "NaN" });
    expect(toField("9223372036854775807", type(20))).toEqual({ longValue: new ExactInteger("9223372036854775807") });
    expect(toJson(toField("-9223372036854775808", type(20)))).toBe('{"longValue":-9223372036854775808}');
    expect(toJson(toField("Infinity", type(701)))).toBe('{"doubleValue":"Infinity"}');
    expect(() => toField("infinity", type(1184))).toThrow(InternalFailureError);
    expect(() => toField("-infinity", type(1082))).toThrow(InternalFailureError);
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
    expect(toField("NaN", type(1700), { decimalReturnType: "DOUBLE_OR_LONG" })).toEqual({ doubleValue: "NaN" });
  });

  it("answers one-dimensional arrays by element type and refuses deeper ones", () => {
    expect(toField('{a,"b,c",NULL,"NULL"}', type(1009))).toEqual({
      arrayValue: { stringValues: ["a", "b,c", null, "NULL"] },
    });
    expect(toField("{1,2}", type(1007))).toEqual({ arrayValue: { longValues: [1, 2] } });
    expect(toField("{1.5}", type(1022))).toEqual({ arrayValue: { doubleValues: [1.5] } });
    expect(toField("{t,f}", type(1000))).toEqual({ arrayValue: { booleanValues: [true, false] } });
    expect(toField("{}", type(1016))).toEqual({ arrayValue: { longValues: [] } });
    expect(() => toField("{{1,2},{3,4}}", type(1007))).toThrow(
      new UnsupportedResultError("The result contains a multidimensional array"),
    );
    expect(toField("{1.50,NULL,NaN}", type(1231))).toEqual({ arrayValue: { stringValues: ["1.50", null, "NaN"] } });
    expect(toField('{"2026-01-02 03:04:05+00"}', type(1185))).toEqual({
      arrayValue: { stringValues: ["2026-01-02 03:04:05"] },
    });
    expect(toField('{"{\\"a\\": 1}"}', type(3807))).toEqual({ arrayValue: { stringValues: ['{"a": 1}'] } });
    expect(toField("{2026-01-02}", type(1182))).toEqual({ arrayValue: { stringValues: ["2026-01-02"] } });
    expect(toField("{5b2d9c39-8a5e-4a53-9f4e-6f1d2a8b7c01}", type(2951))).toEqual({
      arrayValue: { stringValues: ["5b2d9c39-8a5e-4a53-9f4e-6f1d2a8b7c01"] },
    });
    expect(toField("{NaN,1}", type(1022))).toEqual({ arrayValue: { doubleValues: ["NaN", 1] } });
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
    const inserted = executeResponse(
      { ...output, rows: [["3", "z", null]], command: "INSERT", affectedRows: 1 },
      type,
      { formatRecordsAs: "JSON" },
    );
    expect(inserted.formattedRecords).toBeUndefined();
    expect(inserted.records).toEqual([[{ longValue: 3 }, { stringValue: "z" }, { isNull: true }]]);
    expect(inserted.numberOfRecordsUpdated).toBe(1);
    expect(executeResponse({ rows: [], fields: [], affectedRows: 0, command: "CREATE" }, type)).toEqual({
      numberOfRecordsUpdated: 0,
      generatedFields: [],
    });
  });

  it("describes columns as pgjdbc does, arrays as observed on AWS", () => {
    expect(columnMetadata("tags", type(1009), { tableName: "t", notNull: false, autoIncrement: false })).toMatchObject({
      typeName: "_text",
      type: 2003,
      arrayBaseColumnType: 0,
      isCaseSensitive: true,
      nullable: 1,
      precision: 2147483647,
      tableName: "t",
      schemaName: "",
    });
    expect(columnMetadata("id", type(23), { tableName: "t", notNull: true, autoIncrement: true })).toMatchObject({
      typeName: "serial",
      isAutoIncrement: true,
      nullable: 0,
    });
    expect(columnMetadata("v", type(1043), undefined, 14)).toMatchObject({ precision: 10, nullable: 1, tableName: "" });
    expect(columnMetadata("n", type(20))).toMatchObject({
      type: -5,
      isSigned: true,
      precision: 19,
      arrayBaseColumnType: 0,
    });
  });
});

describe("fromError", () => {
  it("words PostgreSQL errors as Aurora Serverless v2 does: Hint and Position joined by '; ', no Detail, SQLState last", () => {
    const error = fromError({
      message: 'duplicate key value violates unique constraint "t_pkey"',
      code: "23505",
      detail: "Key (id)=(1) already exists.",
    });
    expect(error.type).toBe("DatabaseErrorException");
    expect(error.status).toBe(400);
    expect(error.message).toBe('ERROR: duplicate key value violates unique constraint "t_pkey"; SQLState: 23505');
    const hinted = fromError({
      message: "operator does not exist: integer = text",
      code: "42883",
      hint: "No operator matches.",
      position: "36",
      where: "SQL function",
    });
    expect(hinted.message).toBe(
      "ERROR: operator does not exist: integer = text; Hint: No operator matches.; Position: 36; SQLState: 42883",
    );
  });

  it("reads a lost connection as an unavailable database and a bug as an internal error", () => {
    expect(fromError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toMatchObject({
      type: "DatabaseUnavailableException",
      status: 504,
    });
    expect(fromError({ message: "terminating connection due to administrator command", code: "57P01" })).toMatchObject({
      type: "DatabaseUnavailableException",
    });
    expect(fromError(new TypeError("oops"))).toMatchObject({
      type: "InternalServerErrorException",
      status: 500,
      message: "oops",
    });
  });
});
