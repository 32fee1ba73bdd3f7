import { Cron } from "croner";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fieldSets, mayMatchBetween } from "../../../functions/scheduler/cron-fields.js";
import type { DayMatching } from "../../../functions/scheduler/periodic.js";

/** One cron field: `*`, a value, a range, a step over either, or a list of those. */
function field(min: number, max: number) {
  const value = fc.integer({ min, max });
  const range = fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`);
  const part = fc.oneof(
    value.map(String),
    range,
    fc.integer({ min: 1, max: max - min + 1 }).map((k) => `*/${k}`),
    fc.tuple(range, fc.integer({ min: 1, max: 7 })).map(([r, k]) => `${r}/${k}`),
  );
  return fc.oneof(
    fc.constant("*"),
    part,
    fc.array(part, { minLength: 2, maxLength: 3 }).map((parts) => parts.join(",")),
  );
}

const pattern = fc
  .tuple(field(0, 59), field(0, 23), field(1, 31), field(1, 12), field(0, 6))
  .map((fields) => fields.join(" "));
const window = fc
  .tuple(
    fc.date({ min: new Date("2026-01-01T00:00:00Z"), max: new Date("2028-12-31T00:00:00Z"), noInvalidDate: true }),
    fc.integer({ min: 1, max: 3 * 24 * 60 }),
  )
  .map(([from, minutes]) => ({ from: from.getTime(), to: from.getTime() + minutes * 60_000 }));

/** croner's own answer: the first match after `from` (exclusive), on the wall clock (UTC stands for it). */
function cronerMatches(cron: string, days: DayMatching, from: number, to: number): boolean {
  const next = new Cron(cron, { timezone: "UTC", paused: true, mode: "5-part", domAndDow: days === "and" }).nextRun(
    new Date(from),
  );
  return next !== null && next.getTime() <= to;
}

describe("the quick look at a cron pattern's fields", () => {
  it("never says a schedule is idle when croner finds a run in the window", () => {
    fc.assert(
      fc.property(pattern, window, fc.constantFrom<DayMatching>("or", "and"), (cron, { from, to }, days) => {
        if (cronerMatches(cron, days, from, to))
          expect(mayMatchBetween(cron, days, from, to), `${cron} (${days})`).toBe(true);
      }),
      { numRuns: 3_000, seed: 20261122 },
    );
  });

  it("is exact for the patterns it understands: idle means croner finds nothing either", () => {
    fc.assert(
      fc.property(pattern, window, fc.constantFrom<DayMatching>("or", "and"), (cron, { from, to }, days) => {
        if (fieldSets(cron))
          expect(mayMatchBetween(cron, days, from, to), `${cron} (${days})`).toBe(cronerMatches(cron, days, from, to));
      }),
      { numRuns: 3_000, seed: 20261123 },
    );
  });

  it("leaves names, L, W and # to croner", () => {
    for (const cron of ["0 9 * * MON", "0 0 L * *", "0 0 15W * *", "0 0 * * 5#3"]) expect(fieldSets(cron)).toBeNull();
  });
});
