import { describe, expect, it } from "vitest";
import { cronProblem, knownZones, zoneProblem } from "../../console/src/cron.js";

describe("the console's first check of a schedule edit", () => {
  it("accepts five-field crons with ranges, lists, steps and names", () => {
    for (const cron of ["* * * * *", "0 6 * * 1-5", "*/15 0-23/2 1,15 jan-jun mon-fri", "30 3 * * 7", " 0 0 1 12 * "])
      expect(cronProblem(cron), cron).toBeUndefined();
  });

  it("says what is wrong, field by field", () => {
    expect(cronProblem("")).toBe("Give a cron expression, e.g. 0 6 * * 1-5");
    expect(cronProblem("@daily")).toBe("Nicknames such as @daily are not accepted: write five fields, e.g. 0 0 * * *");
    expect(cronProblem("* * * * * *")).toMatch(/exactly five fields .* this one has 6$/);
    expect(cronProblem("60 * * * *")).toBe('minute: "60" is not a value from 0 to 59');
    expect(cronProblem("0 24 * * *")).toBe('hour: "24" is not a value from 0 to 23');
    expect(cronProblem("0 0 0 * *")).toBe('day of month: "0" is not a value from 1 to 31');
    expect(cronProblem("0 0 * foo *")).toBe('month: "foo" is not a value from 1 to 12 or a name');
    expect(cronProblem("0 0 * * 5-1")).toBe('day of week: the range "5-1" runs backwards');
    expect(cronProblem("*/0 * * * *")).toBe('minute: "0" is not a step (a whole number from 1)');
    expect(cronProblem("1/2/3 * * * *")).toBe('minute: "1/2/3" has more than one "/"');
  });

  it("wants the canonical IANA zone name the API wants", () => {
    const known = knownZones();
    expect(zoneProblem("UTC", known)).toBeUndefined();
    expect(zoneProblem("Europe/Paris", known)).toBeUndefined();
    expect(zoneProblem("utc", known)).toBe("Write it as UTC");
    expect(zoneProblem("europe/paris", known)).toBe("Write it as Europe/Paris");
    expect(zoneProblem("US/Eastern", known)).toBe(
      '"US/Eastern" is not an IANA time zone name (e.g. Europe/Paris, UTC)',
    );
    expect(zoneProblem(" ", known)).toBe("Give a time zone, e.g. Europe/Paris");
  });
});
