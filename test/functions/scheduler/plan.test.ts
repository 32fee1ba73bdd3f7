import { describe, expect, it } from "vitest";
import { dueSlot, nextRun } from "../../../functions/scheduler/cron.js";
import type { PeriodicEntry } from "../../../functions/scheduler/periodic.js";
import { dueSlots, effectiveSchedules } from "../../../functions/scheduler/plan.js";

const entry = (name: string, cron: string, timezone = "UTC", enabled = true): PeriodicEntry => ({
  name,
  cron,
  timezone,
  enabled,
  description: "",
  target: { kind: "task", task: "diagnostics.echo", payload: {} },
});
const at = (iso: string) => new Date(iso);
const slotsOf = (due: ReturnType<typeof dueSlots>) => due.map((d) => `${d.schedule.name}@${d.slot.toISOString()}`);

describe("dueSlots", () => {
  it("finds the slot of a tick and nothing on the next tick of the same minute", () => {
    const schedules = effectiveSchedules([entry("every-minute", "* * * * *")], []);
    expect(slotsOf(dueSlots(schedules, {}, at("2026-06-01T10:00:05Z"), 60))).toEqual([
      "every-minute@2026-06-01T10:00:00.000Z",
    ]);
    expect(
      slotsOf(dueSlots(schedules, { "every-minute": "2026-06-01T10:00:00Z" }, at("2026-06-01T10:00:40Z"), 60)),
    ).toEqual([]);
  });

  it("runs a missed window once, for the latest slot, not once per missed slot", () => {
    const schedules = effectiveSchedules([entry("five", "*/5 * * * *")], []);
    const due = dueSlots(schedules, { five: "2026-06-01T10:00:00Z" }, at("2026-06-01T10:31:00Z"), 60);
    expect(slotsOf(due)).toEqual(["five@2026-06-01T10:30:00.000Z"]);
  });

  it("looks back no further than the catch-up bound", () => {
    const schedules = effectiveSchedules([entry("daily", "0 3 * * *")], []);
    // Last ran two days ago; today's 03:00 is 5 hours back, beyond a 60-minute catch-up.
    expect(dueSlots(schedules, { daily: "2026-05-30T03:00:00Z" }, at("2026-06-01T08:00:00Z"), 60)).toEqual([]);
    expect(slotsOf(dueSlots(schedules, { daily: "2026-05-30T03:00:00Z" }, at("2026-06-01T08:00:00Z"), 360))).toEqual([
      "daily@2026-06-01T03:00:00.000Z",
    ]);
  });

  it("does not fire a new schedule for a slot long past", () => {
    const schedules = effectiveSchedules([entry("daily", "0 3 * * *")], []);
    expect(dueSlots(schedules, {}, at("2026-06-01T04:00:00Z"), 120)).toEqual([]);
  });

  it("skips disabled schedules, and an override enables, disables or moves one", () => {
    const entries = [entry("on", "* * * * *"), entry("off", "* * * * *", "UTC", false)];
    const now = at("2026-06-01T10:00:05Z");
    expect(slotsOf(dueSlots(effectiveSchedules(entries, []), {}, now, 60))).toEqual(["on@2026-06-01T10:00:00.000Z"]);
    const overridden = effectiveSchedules(entries, [
      { name: "on", enabled: false, cron: null, timezone: null },
      { name: "off", enabled: true, cron: "0 * * * *", timezone: null },
    ]);
    expect(overridden.map((s) => [s.name, s.enabled, s.cron, s.overridden])).toEqual([
      ["on", false, "* * * * *", true],
      ["off", true, "0 * * * *", true],
    ]);
    expect(slotsOf(dueSlots(overridden, {}, now, 60))).toEqual(["off@2026-06-01T10:00:00.000Z"]);
  });

  it("reads the cron in the schedule's time zone", () => {
    const schedules = effectiveSchedules([entry("ny-morning", "0 9 * * *", "America/New_York")], []);
    // 09:00 in New York in June is 13:00 UTC.
    expect(slotsOf(dueSlots(schedules, {}, at("2026-06-01T13:00:30Z"), 60))).toEqual([
      "ny-morning@2026-06-01T13:00:00.000Z",
    ]);
    expect(dueSlots(schedules, {}, at("2026-06-01T09:00:30Z"), 60)).toEqual([]);
  });
});

describe("daylight saving time", () => {
  /** Every slot a per-minute ticking dispatcher would run over a day (or `hours`). */
  function slotsOverDay(cron: string, timezone: string, fromIso: string, hours = 24): string[] {
    const schedules = effectiveSchedules([entry("s", cron, timezone)], []);
    const last: Record<string, string> = {};
    const found: string[] = [];
    for (let t = Date.parse(fromIso); t < Date.parse(fromIso) + hours * 3_600_000; t += 60_000) {
      for (const d of dueSlots(schedules, last, new Date(t + 5_000), 60)) {
        found.push(d.slot.toISOString());
        last.s = d.slot.toISOString();
      }
    }
    return found;
  }

  it("runs a 02:30 Paris job once on the spring-forward day, when 02:30 does not exist", () => {
    expect(slotsOverDay("30 2 * * *", "Europe/Paris", "2026-03-28T22:00:00Z")).toEqual(["2026-03-29T01:00:00.000Z"]);
  });

  it("runs a 02:30 Paris job once on the fall-back day, when 02:30 happens twice", () => {
    expect(slotsOverDay("30 2 * * *", "Europe/Paris", "2026-10-24T22:00:00Z")).toEqual(["2026-10-25T00:30:00.000Z"]);
  });

  it("runs a 01:30 New York job once on the November day when 01:30 happens twice", () => {
    expect(slotsOverDay("30 1 * * *", "America/New_York", "2026-11-01T04:00:00Z")).toEqual([
      "2026-11-01T05:30:00.000Z",
    ]);
  });

  it("runs an hourly Paris job every real hour through the fall-back night: 25 runs that day", () => {
    // 2026-10-25 in Paris lasts 25 hours, from 22:00 UTC the day before to 23:00 UTC; 02:00 comes twice.
    const slots = slotsOverDay("0 * * * *", "Europe/Paris", "2026-10-24T22:00:00Z", 25);
    expect(slots).toHaveLength(25);
    expect(slots).toEqual(expect.arrayContaining(["2026-10-25T00:00:00.000Z", "2026-10-25T01:00:00.000Z"]));
  });

  it("keeps 09:00 New York at 09:00 local across the March change", () => {
    expect(slotsOverDay("0 9 * * *", "America/New_York", "2026-03-07T12:00:00Z")).toEqual(["2026-03-07T14:00:00.000Z"]);
    expect(slotsOverDay("0 9 * * *", "America/New_York", "2026-03-08T12:00:00Z")).toEqual(["2026-03-08T13:00:00.000Z"]);
  });
});

describe("dueSlot", () => {
  it("ignores slots at or before `since`", () => {
    expect(dueSlot("0 * * * *", "UTC", at("2026-06-01T10:00:00Z"), at("2026-06-01T10:30:00Z"))).toBeUndefined();
  });
});

describe("nextRun (GET /schedules nextRunAt)", () => {
  const next = (cron: string, zone: string, after: string) => nextRun(cron, zone, at(after))?.toISOString();

  it("follows the same DST rule as the dispatcher", () => {
    // 02:30 does not exist in Paris on 2026-03-29: the run comes just after the jump.
    expect(next("30 2 * * *", "Europe/Paris", "2026-03-29T00:00:00Z")).toBe("2026-03-29T01:00:00.000Z");
    // After the first 01:30 of New York's fall-back day, the next 01:30 is the next day's.
    expect(next("30 1 * * *", "America/New_York", "2026-11-01T05:30:00Z")).toBe("2026-11-02T06:30:00.000Z");
    // A wildcard pattern does run again in the repeated hour.
    expect(next("30 * * * *", "America/New_York", "2026-11-01T05:30:00Z")).toBe("2026-11-01T06:30:00.000Z");
  });

  it("looks years ahead for rare dates, and past a year whose only match was skipped", () => {
    expect(next("0 0 29 2 *", "UTC", "2026-06-01T00:00:00Z")).toBe("2028-02-29T00:00:00.000Z");
    // Every 30 minutes of 02:xx on 29 March: in 2026 that hour does not exist in Paris; in 2027 it does (summer time, UTC+2).
    expect(next("*/30 2 29 3 *", "Europe/Paris", "2026-03-28T00:00:00Z")).toBe("2027-03-29T00:00:00.000Z");
  });
});
