import { describe, expect, it } from "vitest";
import { inputProblems, MAX_BODY_DEPTH, textProblem } from "../../../../functions/core/http/input-checks.js";

/** `[[[…]]]` nested `levels` deep, built without recursion. */
function nestedArrays(levels: number, leaf: unknown = 1): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe("textProblem", () => {
  it("refuses NUL and lone surrogates of either half, anywhere in the text", () => {
    expect(textProblem("a\u0000b")).toBe("contains a NUL character");
    for (const bad of ["\ud800", "x\ud800", "\ud800x", "\udc00", "x\udfff", "\udbff\ud800", "\ude00\ud83d"]) {
      expect(textProblem(bad), JSON.stringify(bad)).toBe("contains a lone surrogate (not valid Unicode)");
    }
  });

  it("lets ordinary text, emoji (surrogate pairs) and other control characters through", () => {
    for (const good of ["", "hello", "😀", "a😀b", "\ud83d\ude00", "tab\tnew\nline", "\u0001", "日本語", "\uFFFD"]) {
      expect(textProblem(good), JSON.stringify(good)).toBeUndefined();
    }
  });
});

describe("inputProblems", () => {
  it("names the field of a bad string anywhere in the body, keys included", () => {
    const body = {
      name: "ok",
      payload: { message: "a\u0000b", list: ["fine", "\ud800"], "bad\u0000key": 1, deep: { "\udc00": "x" } },
    };
    expect(inputProblems("body", body).sort()).toEqual([
      "body.payload.deep: has a key that contains a lone surrogate (not valid Unicode)",
      "body.payload.list.1: contains a lone surrogate (not valid Unicode)",
      "body.payload.message: contains a NUL character",
      "body.payload: has a key that contains a NUL character",
    ]);
    expect(inputProblems("query", { topic: "\u0000" })).toEqual(["query.topic: contains a NUL character"]);
    expect(inputProblems("body", "\ud800")).toEqual(["body: contains a lone surrogate (not valid Unicode)"]);
  });

  it("accepts exactly the allowed depth and refuses one level more, naming the top-level field", () => {
    expect(inputProblems("body", { payload: nestedArrays(MAX_BODY_DEPTH - 1) })).toEqual([]);
    expect(inputProblems("body", { payload: nestedArrays(MAX_BODY_DEPTH) })).toEqual([
      `body.payload: nested more than ${MAX_BODY_DEPTH} levels deep`,
    ]);
    expect(inputProblems("body", nestedArrays(MAX_BODY_DEPTH + 1))).toEqual([
      `body.0: nested more than ${MAX_BODY_DEPTH} levels deep`,
    ]);
  });

  it("walks a body 100,000 levels deep without overflowing the stack", () => {
    expect(inputProblems("body", { payload: nestedArrays(100_000) })).toEqual([
      `body.payload: nested more than ${MAX_BODY_DEPTH} levels deep`,
    ]);
  });

  it("stops after a handful of problems in a body full of them", () => {
    const problems = inputProblems(
      "body",
      Array.from({ length: 100_000 }, () => "\u0000"),
    );
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.length).toBeLessThanOrEqual(10);
  });

  it("passes numbers, booleans, null and clean nested values", () => {
    expect(inputProblems("body", { a: 1, b: true, c: null, d: [{ e: "😀" }], f: undefined })).toEqual([]);
  });
});
