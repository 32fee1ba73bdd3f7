import { describe, expect, it } from "vitest";
import { nextSlot } from "../../../functions/scheduler/cron.js";
import type { PeriodicEntry } from "../../../functions/scheduler/periodic.js";
import { dueSlots, effectiveSchedules, MAX_MISSED_RUNS_PER_TICK } from "../../../functions/scheduler/plan.js";
import { entry } from "./entries.js";

const MINUTE = 60_000;

/** Every run a dispatcher ticking 5 s into each minute would start over [from, from + minutes]: its instant and key. */
function ticked(schedule: PeriodicEntry, fromIso: string, minutes: number): string[] {
  const schedules = effectiveSchedules([schedule], []);
  const start = Date.parse(fromIso);
  const last: Record<string, string> = { s: new Date(start).toISOString() };
  const runs: string[] = [];
  for (let t = start + MINUTE; t <= start + minutes * MINUTE; t += MINUTE) {
    for (const d of dueSlots(schedules, last, new Date(t + 5_000), 60)) {
      runs.push(`${d.slot.toISOString()} ${d.key}`);
      last.s = d.slot.toISOString();
    }
  }
  return runs;
}

const nextDays = (cron: string, timezone: string, fromIso: string, count: number, dayMatching?: "or" | "and") => {
  const days: string[] = [];
  let after = new Date(fromIso);
  for (let i = 0; i < count; i++) {
    const slot = nextSlot(cron, timezone, after, dayMatching);
    if (!slot) break;
    days.push(slot.key);
    after = slot.at;
  }
  return days;
};

describe("day matching", () => {
  it("defaults to cron's OR and keeps it for existing schedules", () => {
    const [schedule] = effectiveSchedules([entry("0 9 13 * 5", "UTC")], []);
    expect(schedule?.dayMatching).toBe("or");
    // Every Friday, and the 13th whatever its weekday.
    expect(nextDays("0 9 13 * 5", "UTC", "2026-01-01T00:00:00Z", 3)).toEqual([
      "2026-01-02T09:00 UTC",
      "2026-01-09T09:00 UTC",
      "2026-01-13T09:00 UTC",
    ]);
  });

  it("with AND, needs both fields, like Celery's crontab: only a Friday the 13th", () => {
    expect(nextDays("0 9 13 * 5", "UTC", "2026-01-01T00:00:00Z", 3, "and")).toEqual([
      "2026-02-13T09:00 UTC",
      "2026-03-13T09:00 UTC",
      "2026-11-13T09:00 UTC",
    ]);
  });

  it("agrees with OR when either day field is *", () => {
    for (const cron of ["0 9 * * 5", "0 9 13 * *"]) {
      expect(nextDays(cron, "UTC", "2026-01-01T00:00:00Z", 5, "and"), cron).toEqual(
        nextDays(cron, "UTC", "2026-01-01T00:00:00Z", 5, "or"),
      );
    }
  });

  it("matches days on the local calendar, not UTC's", () => {
    // 09:00 on Friday 13 February in Auckland is 20:00 UTC on Thursday the 12th.
    const [first] = nextDays("0 9 13 * 5", "Pacific/Auckland", "2026-01-01T00:00:00Z", 1, "and");
    expect(first).toBe("2026-02-13T09:00 Pacific/Auckland");
    expect(nextSlot("0 9 13 * 5", "Pacific/Auckland", new Date("2026-01-01T00:00:00Z"), "and")?.at.toISOString()).toBe(
      "2026-02-12T20:00:00.000Z",
    );
  });

  it("with AND, a fixed time in the skipped hour of a matching day runs once, just after the jump", () => {
    // Sunday 29 March 2026 in Paris: the clocks jump from 02:00 to 03:00 (01:00 UTC).
    const schedule = entry("30 2 29 * 0", "Europe/Paris", { dayMatching: "and" });
    expect(ticked(schedule, "2026-03-28T22:00:00Z", 6 * 60)).toEqual([
      "2026-03-29T01:00:00.000Z 2026-03-29T02:30 Europe/Paris",
    ]);
    // The Sunday before is not the 29th: nothing with AND, a run with OR.
    expect(ticked(schedule, "2026-03-21T22:00:00Z", 6 * 60)).toEqual([]);
    expect(ticked({ ...schedule, dayMatching: "or" }, "2026-03-21T22:00:00Z", 6 * 60)).toEqual([
      "2026-03-22T01:30:00.000Z 2026-03-22T02:30 Europe/Paris",
    ]);
  });

  it("with AND, a fixed time in the repeated hour of a matching day runs once", () => {
    // Sunday 1 November 2026 in New York: 01:00–02:00 happens twice (05:00–06:00 and 06:00–07:00 UTC).
    const schedule = entry("30 1,13 1 * 0", "America/New_York", { dayMatching: "and" });
    expect(ticked(schedule, "2026-11-01T03:00:00Z", 5 * 60)).toEqual([
      "2026-11-01T05:30:00.000Z 2026-11-01T01:30 America/New_York",
    ]);
  });

  it("with AND, a wildcard pattern follows the wall clock through a fold on a matching day", () => {
    const schedule = entry("0 * 1 * 0", "America/New_York", { dayMatching: "and" });
    const runs = ticked(schedule, "2026-11-01T04:30:00Z", 3 * 60);
    expect(runs).toEqual([
      "2026-11-01T05:00:00.000Z 2026-11-01T01:00 America/New_York",
      "2026-11-01T06:00:00.000Z 2026-11-01T01:00 America/New_York (repeated)",
      "2026-11-01T07:00:00.000Z 2026-11-01T02:00 America/New_York",
    ]);
  });
});

describe("missed runs after downtime", () => {
  const due = (missed: "latest" | "none" | "all" | undefined, cron: string, last: string, now: string, window = 60) =>
    dueSlots(effectiveSchedules([entry(cron, "UTC", { missed })], []), { s: last }, new Date(now), window).map(
      (d) => d.key,
    );

  it('defaults to "latest": one run, for the most recent missed slot', () => {
    expect(due(undefined, "*/5 * * * *", "2026-06-01T10:00:00Z", "2026-06-01T10:31:00Z")).toEqual([
      "2026-06-01T10:30 UTC",
    ]);
    expect(due("latest", "*/5 * * * *", "2026-06-01T10:00:00Z", "2026-06-01T10:31:00Z")).toEqual([
      "2026-06-01T10:30 UTC",
    ]);
  });

  it('with "none", runs only a slot of the tick\'s own minute', () => {
    expect(due("none", "*/5 * * * *", "2026-06-01T10:00:00Z", "2026-06-01T10:30:40Z")).toEqual([
      "2026-06-01T10:30 UTC",
    ]);
    expect(due("none", "*/5 * * * *", "2026-06-01T10:00:00Z", "2026-06-01T10:31:00Z")).toEqual([]);
    expect(due("latest", "*/5 * * * *", "2026-06-01T10:00:00Z", "2026-06-01T10:31:00Z")).toEqual([
      "2026-06-01T10:30 UTC",
    ]);
  });

  it('with "all", runs each missed slot within the catch-up window, oldest first', () => {
    expect(due("all", "*/5 * * * *", "2026-06-01T10:00:00Z", "2026-06-01T10:31:00Z")).toEqual(
      ["10:05", "10:10", "10:15", "10:20", "10:25", "10:30"].map((t) => `2026-06-01T${t} UTC`),
    );
    // Down two days with a 60-minute window: only what falls in the last hour.
    expect(due("all", "*/20 * * * *", "2026-05-30T10:00:00Z", "2026-06-01T10:31:00Z")).toEqual([
      "2026-06-01T09:40 UTC",
      "2026-06-01T10:00 UTC",
      "2026-06-01T10:20 UTC",
    ]);
  });

  it('with "all", starts at most a bounded number per tick; the next tick goes on from there', () => {
    const first = due("all", "* * * * *", "2026-06-01T00:00:00Z", "2026-06-01T12:00:05Z", 600);
    expect(first).toHaveLength(MAX_MISSED_RUNS_PER_TICK);
    expect(first[0]).toBe("2026-06-01T02:01 UTC");
    const lastStarted = `${first.at(-1)!.slice(0, 16)}:00Z`;
    expect(due("all", "* * * * *", lastStarted, "2026-06-01T12:01:05Z", 600)[0]).toBe("2026-06-01T02:31 UTC");
  });

  it('with "all", a fold\'s repeated wall times are each a slot with its own key', () => {
    const schedules = effectiveSchedules([entry("*/30 * * * *", "America/New_York", { missed: "all" })], []);
    const keys = dueSlots(schedules, { s: "2026-11-01T04:45:00Z" }, new Date("2026-11-01T06:40:00Z"), 120).map(
      (d) => d.key,
    );
    expect(keys).toEqual([
      "2026-11-01T01:00 America/New_York",
      "2026-11-01T01:30 America/New_York",
      "2026-11-01T01:00 America/New_York (repeated)",
      "2026-11-01T01:30 America/New_York (repeated)",
    ]);
  });
});
