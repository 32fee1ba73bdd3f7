import { describe, expect, it } from "vitest";
import { backoffSeconds } from "../../../functions/tasks/backoff.js";

const policy = { maxAttempts: 10, baseSeconds: 2, maxSeconds: 60, jitter: false };

describe("backoffSeconds", () => {
  it("doubles per attempt up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffSeconds(n, policy))).toEqual([2, 4, 8, 16, 32, 60, 60]);
  });

  it("jitters between half and all of the delay", () => {
    const jittered = { ...policy, jitter: true };
    expect(backoffSeconds(3, jittered, () => 0)).toBe(4);
    expect(backoffSeconds(3, jittered, () => 1)).toBe(8);
    expect(backoffSeconds(1, { ...jittered, baseSeconds: 1 }, () => 0)).toBe(1);
  });
});
