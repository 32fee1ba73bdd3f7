import { describe, expect, it } from "vitest";
import { formatDuration, formatInstant, relativeTo } from "../../console/src/time.js";

describe("console times", () => {
  it("shows one instant in the viewer's zone and in the schedule's zone, with the offset of that day", () => {
    const at = "2026-11-22T21:30:05.123Z";
    expect(formatInstant(at, "UTC")).toBe("2026-11-22 21:30:05 UTC");
    expect(formatInstant(at, "Europe/London")).toBe("2026-11-22 21:30:05 UTC");
    expect(formatInstant(at, "America/New_York")).toBe("2026-11-22 16:30:05 GMT-5");
    expect(formatInstant(at, "Asia/Kolkata")).toBe("2026-11-23 03:00:05 GMT+5:30");
    // Summer time: the same zone, another offset.
    expect(formatInstant("2026-07-01T12:00:00Z", "Europe/Paris")).toBe("2026-07-01 14:00:00 GMT+2");
    expect(formatInstant("2026-01-01T12:00:00Z", "Europe/Paris")).toBe("2026-01-01 13:00:00 GMT+1");
  });

  it("shows a dash for no time, and an unreadable one as given", () => {
    expect(formatInstant(null, "UTC")).toBe("—");
    expect(formatInstant("not a date", "UTC")).toBe("not a date");
  });

  it("says durations in at most two units", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(59.4)).toBe("59 s");
    expect(formatDuration(60)).toBe("1 min");
    expect(formatDuration(200)).toBe("3 min 20 s");
    expect(formatDuration(7_500)).toBe("2 h 5 min");
    expect(formatDuration(3 * 86_400 + 4 * 3_600 + 59)).toBe("3 d 4 h");
    expect(formatDuration(null)).toBe("—");
  });

  it("says how far an instant is from now, either way", () => {
    const now = new Date("2026-11-22T12:00:00Z");
    expect(relativeTo("2026-11-22T12:04:00Z", now)).toBe("in 4 min");
    expect(relativeTo("2026-11-22T09:55:00Z", now)).toBe("2 h 5 min ago");
    expect(relativeTo("2026-11-22T12:00:00.200Z", now)).toBe("now");
    expect(relativeTo(null, now)).toBe("—");
  });
});
