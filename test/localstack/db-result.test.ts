import { describe, expect, it } from "vitest";
import { metaCommand } from "../../localstack/db-commands.js";
import { splitStatements } from "../../localstack/db-input.js";
import { renderResult, toStatementResult } from "../../localstack/db-result.js";

describe("the db shell's table", () => {
  it("aligns columns like psql: numbers right, text left, NULL shown, one line per row", () => {
    const result = toStatementResult({
      columnMetadata: [
        { label: "id", typeName: "int4" },
        { label: "name", typeName: "text" },
        { label: "tags", typeName: "_text" },
        { label: "ok", typeName: "bool" },
      ],
      records: [
        [
          { longValue: 7 },
          { stringValue: "alice" },
          { arrayValue: { stringValues: ["a", "b"] } },
          { booleanValue: true },
        ],
        [{ longValue: 1234 }, { isNull: true }, { arrayValue: { stringValues: [] } }, { booleanValue: false }],
        [{ longValue: 5 }, { stringValue: "two\nlines" }, { isNull: true }, { isNull: true }],
      ],
    });
    expect(renderResult(result)).toBe(
      [
        "  id  |    name    | tags  |  ok",
        "------+------------+-------+------",
        "    7 | alice      | {a,b} | t",
        " 1234 | NULL       | {}    | f",
        "    5 | two\\nlines | NULL  | NULL",
        "(3 rows)",
      ].join("\n"),
    );
  });

  it("counts rows in the singular and plural, and reports statements without rows", () => {
    const one = toStatementResult({
      columnMetadata: [{ name: "x", typeName: "text" }],
      records: [[{ stringValue: "é" }]],
    });
    expect(renderResult(one)).toBe([" x", "---", " é", "(1 row)"].join("\n"));
    expect(renderResult(toStatementResult({ numberOfRecordsUpdated: 2 }))).toBe("OK, 2 rows changed");
    expect(renderResult(toStatementResult({ numberOfRecordsUpdated: 0 }))).toBe("OK");
  });
});

describe("the db shell's input", () => {
  it("ends a statement only at a ; outside strings, quoted names, dollar bodies and comments", () => {
    const text = "select ';' as a, \"x;y\", $$b;c$$ -- d;\n; select 2 /* ; */;\nselect 3";
    expect(splitStatements(text)).toEqual({
      statements: ["select ';' as a, \"x;y\", $$b;c$$ -- d;", "select 2 /* ; */"],
      rest: "\nselect 3",
    });
    expect(splitStatements("select 'still open;\n").statements).toEqual([]);
    expect(splitStatements(";; -- nothing\n;").statements).toEqual([]);
  });

  it("knows psql's backslash commands", () => {
    expect(metaCommand("\\q")).toEqual({ kind: "quit" });
    expect(metaCommand("\\dt").kind).toBe("sql");
    expect(metaCommand("\\d tasks")).toMatchObject({ kind: "sql", sql: expect.stringContaining("'tasks'::regclass") });
    expect(metaCommand("\\d o'brien")).toMatchObject({ sql: expect.stringContaining("'o''brien'::regclass") });
    expect(metaCommand("\\x")).toEqual({ kind: "unknown", text: "\\x" });
  });
});
