import { describe, expect, it } from "vitest";
import { validateSchedule } from "../../../functions/scheduler/validate.js";

const issuesOf = (cron: string, timezone: string): string[] => {
  try {
    validateSchedule(cron, timezone);
    return [];
  } catch (error) {
    return (error as { issues: string[] }).issues;
  }
};

describe("validateSchedule", () => {
  it("accepts five-field patterns in canonical zones, and returns them with single spaces", () => {
    expect(validateSchedule("*/5 * * * *", "Europe/Paris")).toEqual({ cron: "*/5 * * * *", timezone: "Europe/Paris" });
    expect(validateSchedule("  0   9 * * MON-FRI ", "America/New_York")).toEqual({
      cron: "0 9 * * MON-FRI",
      timezone: "America/New_York",
    });
    // 29 February comes back every leap year; 30 February with a weekday fires on that weekday (cron's OR).
    expect(issuesOf("0 0 29 2 *", "UTC")).toEqual([]);
    expect(issuesOf("0 0 30 2 1", "UTC")).toEqual([]);
    expect(issuesOf("0 0 * * *", "Etc/GMT+5")).toEqual([]);
  });

  it("refuses a seconds field: the beat ticks once a minute", () => {
    expect(issuesOf("*/10 * * * * *", "UTC")).toEqual([
      expect.stringMatching(
        /^cron: expected 5 fields .*got 6; the beat ticks once a minute, so there is no seconds field$/,
      ),
    ]);
    expect(issuesOf("0 0 * *", "UTC")).toEqual([expect.stringMatching(/^cron: expected 5 fields .*got 4$/)]);
  });

  it("refuses dates that never come", () => {
    for (const cron of ["0 0 30 2 *", "0 0 31 4 *", "0 0 31 2,4,6,9,11 *"]) {
      expect(issuesOf(cron, "UTC"), cron).toEqual([expect.stringMatching(/never fires/)]);
    }
  });

  it("refuses nicknames, saying what to write instead", () => {
    expect(issuesOf("@yearly", "UTC")).toEqual([
      'cron: nicknames such as "@yearly" are not accepted; write "0 0 1 1 *" instead',
    ]);
    expect(issuesOf("@daily", "UTC")).toEqual([
      'cron: nicknames such as "@daily" are not accepted; write "0 0 * * *" instead',
    ]);
    expect(issuesOf("@reboot", "UTC")).toEqual([
      expect.stringMatching(/^cron: nicknames such as "@reboot" are not accepted/),
    ]);
  });

  it("refuses empty, huge and non-ASCII patterns and fields croner cannot read", () => {
    expect(issuesOf("", "UTC")).toEqual([expect.stringMatching(/^cron: empty/)]);
    expect(issuesOf("1,".repeat(100) + "1 * * * *", "UTC")).toEqual([expect.stringMatching(/^cron: longer than 100/)]);
    expect(issuesOf("0 0 * * *\u0000", "UTC")).toEqual(["cron: only printable ASCII characters are allowed"]);
    expect(issuesOf("61 * * * *", "UTC")).toEqual([expect.stringMatching(/^cron: .*minute/i)]);
  });

  it("accepts only the canonical spelling of an IANA zone", () => {
    expect(issuesOf("* * * * *", "utc")).toEqual(['timezone: write "UTC" instead of "utc"']);
    expect(issuesOf("* * * * *", "Etc/UTC")).toEqual(['timezone: write "UTC" instead of "Etc/UTC"']);
    expect(issuesOf("* * * * *", "europe/paris")).toEqual(['timezone: write "Europe/Paris" instead of "europe/paris"']);
    expect(issuesOf("* * * * *", "Mars/Base")).toEqual([
      'timezone: "Mars/Base" is not an IANA time zone (e.g. UTC, Europe/Paris)',
    ]);
    expect(issuesOf("* * * * *", "+01:00")).toEqual([expect.stringMatching(/not an IANA time zone/)]);
    expect(issuesOf("* * * * *", "")).toEqual([expect.stringMatching(/^timezone: empty/)]);
    expect(issuesOf("* * * * *", "A".repeat(65))).toEqual([expect.stringMatching(/^timezone: longer than 64/)]);
  });

  it("names every problem at once", () => {
    expect(issuesOf("* * * * * *", "utc")).toHaveLength(2);
  });
});
