import { describe, expect, it } from "vitest";
import { bindParameters, parsePgArray, toField } from "../../../localstack/data-api/wire.js";

describe("bindParameters", () => {
  it("numbers named parameters once each and adds the cast a type hint asks for", () => {
    const { text, values } = bindParameters("SELECT :a, :b, :a WHERE x = :b", [
      { name: "a", value: { longValue: 1 } },
      { name: "b", value: { stringValue: "{}" }, typeHint: "JSON" },
    ]);
    expect(text).toBe("SELECT $1, $2::jsonb, $1 WHERE x = $2::jsonb");
    expect(values).toEqual(["1", "{}"]);
  });

  it("leaves casts, quoted text, identifiers, comments and dollar-quoted bodies alone", () => {
    const sql = `SELECT '1'::int, ':no', ":no", $$ :no $$, $f$ :no $f$ -- :no\n, :yes /* :no */`;
    const { text, values } = bindParameters(sql, [{ name: "yes", value: { isNull: true } }]);
    expect(text).toBe(`SELECT '1'::int, ':no', ":no", $$ :no $$, $f$ :no $f$ -- :no\n, $1 /* :no */`);
    expect(values).toEqual([null]);
  });

  it("refuses a placeholder without a value", () => {
    expect(() => bindParameters("SELECT :x", [])).toThrow("No value specified for parameter: x");
  });
});

describe("toField", () => {
  it("types values by column type as Aurora does", () => {
    expect(toField("t", 16)).toEqual({ booleanValue: true });
    expect(toField("42", 20)).toEqual({ longValue: 42 });
    expect(toField("0.5", 701)).toEqual({ doubleValue: 0.5 });
    expect(toField("1.10", 1700)).toEqual({ stringValue: "1.10" });
    expect(toField("2026-01-01 00:00:00+00", 1184)).toEqual({ stringValue: "2026-01-01 00:00:00" });
    expect(toField(null, 25)).toEqual({ isNull: true });
  });

  it("parses array literals with quoting", () => {
    expect(parsePgArray('{a,"b,c","d\\"e"}')).toEqual(["a", "b,c", 'd"e']);
    expect(parsePgArray("{}")).toEqual([]);
  });
});
