import { describe, expect, it } from "vitest";
import { json, toSqlParameters } from "../../../../functions/core/db/parameters.js";
import { toRows } from "../../../../functions/core/db/records.js";

describe("toSqlParameters", () => {
  it("maps JavaScript values to Data API fields with type hints", () => {
    expect(
      toSqlParameters({
        s: "x",
        i: 3,
        f: 1.5,
        b: true,
        n: null,
        u: undefined,
        d: new Date("2026-01-02T03:04:05.678Z"),
        j: json({ a: 1 }),
      }),
    ).toEqual([
      { name: "s", value: { stringValue: "x" } },
      { name: "i", value: { longValue: 3 } },
      { name: "f", value: { doubleValue: 1.5 } },
      { name: "b", value: { booleanValue: true } },
      { name: "n", value: { isNull: true } },
      { name: "u", value: { isNull: true } },
      { name: "d", value: { stringValue: "2026-01-02 03:04:05.678" }, typeHint: "TIMESTAMP" },
      { name: "j", value: { stringValue: '{"a":1}' }, typeHint: "JSON" },
    ]);
  });
});

describe("toRows", () => {
  it("keys fields by column label and decodes json and timestamps", () => {
    const rows = toRows(
      [[{ longValue: 1 }, { stringValue: '{"k":true}' }, { stringValue: "2026-01-02 03:04:05.5" }, { isNull: true }]],
      [{ label: "id" }, { label: "data", typeName: "jsonb" }, { label: "at", typeName: "timestamptz" }, { label: "gone" }],
    );
    expect(rows).toEqual([{ id: 1, data: { k: true }, at: "2026-01-02T03:04:05.5Z", gone: null }]);
  });

  it("returns no rows for a statement without records", () => {
    expect(toRows(undefined, undefined)).toEqual([]);
  });
});
