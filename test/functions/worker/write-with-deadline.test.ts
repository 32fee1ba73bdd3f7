import { describe, expect, it } from "vitest";
import { DatabaseUnavailableError } from "../../../functions/core/db/unavailable.js";
import { writeWithDeadline } from "../../../functions/worker/write-with-deadline.js";

/** A write that fails `failures` times as an outage would, then answers "ok". */
function flakyWrite(failures: number, error: () => Error = () => new DatabaseUnavailableError()) {
  let calls = 0;
  return {
    write: async () => {
      calls += 1;
      if (calls <= failures) throw error();
      return "ok";
    },
    calls: () => calls,
  };
}

describe("writeWithDeadline", () => {
  it("tries again with doubling delays, capped at 4 s, until the write goes through", async () => {
    const flaky = flakyWrite(7);
    const waits: number[] = [];
    expect(
      await writeWithDeadline(flaky.write, {
        remainingMs: () => 60_000,
        reserveMs: 1_500,
        sleep: async (ms) => void waits.push(ms),
      }),
    ).toBe("ok");
    expect(waits).toEqual([200, 400, 800, 1_600, 3_200, 4_000, 4_000]);
  });

  it("gives up with the outage error when the next wait would eat into the reserved time", async () => {
    const flaky = flakyWrite(Infinity);
    let remaining = 3_000;
    const attempt = writeWithDeadline(flaky.write, {
      remainingMs: () => remaining,
      reserveMs: 1_500,
      sleep: async (ms) => void (remaining -= ms),
    });
    await expect(attempt).rejects.toBeInstanceOf(DatabaseUnavailableError);
    // 3000 → 2800 → 2400 → 1600: a fourth wait of 800 ms would leave less than the 1500 ms reserve.
    expect(flaky.calls()).toBe(4);
  });

  it("throws any other error at once", async () => {
    const flaky = flakyWrite(1, () => new Error("syntax error"));
    await expect(
      writeWithDeadline(flaky.write, { remainingMs: () => 60_000, reserveMs: 0, sleep: async () => undefined }),
    ).rejects.toThrow("syntax error");
    expect(flaky.calls()).toBe(1);
  });
});
