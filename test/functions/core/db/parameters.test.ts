import { describe, expect, it } from "vitest";
import {
  date,
  decimal,
  json,
  text,
  timestamp,
  toSqlParameters,
  uuid,
  type SqlParams,
} from "../../../../functions/core/db/parameters.js";
import { toRows } from "../../../../functions/core/db/records.js";

const taskId = "0b7c9a52-3f7e-4a8e-9d55-6a1f2c3d4e5f";

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

  it("sends each helper's value with its hint, in the format the Data API documents", () => {
    expect(
      toSqlParameters({
        id: uuid(taskId.toUpperCase()),
        runAt: timestamp("2026-01-02T04:04:05+01:00"),
        day: date("2026-02-28"),
        amount: decimal("12345678901234567890.25"),
        list: json(["a", "b"]),
        nothing: json(undefined),
        name: text("plain"),
        missingId: uuid(undefined),
      }),
    ).toEqual([
      { name: "id", value: { stringValue: taskId }, typeHint: "UUID" },
      { name: "runAt", value: { stringValue: "2026-01-02 03:04:05.000" }, typeHint: "TIMESTAMP" },
      { name: "day", value: { stringValue: "2026-02-28" }, typeHint: "DATE" },
      { name: "amount", value: { stringValue: "12345678901234567890.25" }, typeHint: "DECIMAL" },
      { name: "list", value: { stringValue: '["a","b"]' }, typeHint: "JSON" },
      { name: "nothing", value: { stringValue: "null" }, typeHint: "JSON" },
      { name: "name", value: { stringValue: "plain" } },
      { name: "missingId", value: { isNull: true } },
    ]);
  });

  it("never guesses a hint for a plain string, even one that looks like a uuid", () => {
    // An idempotency key may well be a uuid; its column is text, so it must go as varchar.
    expect(toSqlParameters({ key: taskId })).toEqual([{ name: "key", value: { stringValue: taskId } }]);
  });

  it("refuses values the hint could not carry, before any SQL runs", () => {
    expect(() => uuid("42")).toThrow(/Not a uuid/);
    expect(() => timestamp("yesterday")).toThrow(/Not a point in time/);
    expect(() => date("2026-02-30")).toThrow(/Not a date/);
    expect(() => decimal("1,5")).toThrow(/Not a decimal/);
    expect(() => toSqlParameters({ n: Number.NaN })).toThrow(RangeError);
    expect(() => toSqlParameters({ n: 2 ** 60 })).toThrow(/decimal/);
    expect(() => toSqlParameters({ n: 2n ** 60n })).toThrow(/decimal/);
    expect(() => toSqlParameters({ list: ["a"] as never })).toThrow(/json/);
  });

  it("holds ids and timestamps to their types by name, at compile time", () => {
    const id: string = taskId;
    // Each line below is a statement that would fail on Aurora; the type checker refuses it first.
    // @ts-expect-error a parameter named id must be uuid(…) (or text(…) for a text id)
    const plainId: SqlParams = { id };
    // @ts-expect-error so must one named …Id
    const plainEventId: SqlParams = { eventId: id };
    // @ts-expect-error a parameter named …At must be a Date or timestamp(…)
    const plainAt: SqlParams = { createdAt: "2026-01-01T00:00:00Z" };
    const typed: SqlParams = {
      id: uuid(id),
      eventId: null,
      createdAt: new Date(),
      updatedAt: timestamp(new Date()),
      name: "x",
    };
    expect([plainId, plainEventId, plainAt, typed]).toHaveLength(4);
  });
});

describe("toRows", () => {
  it("keys fields by column label and decodes json and timestamps", () => {
    const rows = toRows(
      [[{ longValue: 1 }, { stringValue: '{"k":true}' }, { stringValue: "2026-01-02 03:04:05.5" }, { isNull: true }]],
      [
        { label: "id" },
        { label: "data", typeName: "jsonb" },
        { label: "at", typeName: "timestamptz" },
        { label: "gone" },
      ],
    );
    expect(rows).toEqual([{ id: 1, data: { k: true }, at: "2026-01-02T03:04:05.5Z", gone: null }]);
  });

  it("reads timestamps as the Data API answers them: UTC, microseconds or none, no zone", () => {
    const at = (value: string) => toRows([[{ stringValue: value }]], [{ label: "at", typeName: "timestamptz" }])[0]?.at;
    expect(at("2026-01-02 03:04:05.123456")).toBe("2026-01-02T03:04:05.123456Z");
    expect(at("2026-01-02 03:04:05")).toBe("2026-01-02T03:04:05Z");
    expect(Date.parse(at("2026-01-02 03:04:05.123456") as string)).toBe(Date.parse("2026-01-02T03:04:05.123Z"));
    expect(at("infinity")).toBe("infinity");
  });

  it("returns no rows for a statement without records", () => {
    expect(toRows(undefined, undefined)).toEqual([]);
  });
});
