import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isFixedTime } from "../../../functions/scheduler/cron.js";
import { dueSlots, effectiveSchedules } from "../../../functions/scheduler/plan.js";
import { entry } from "./entries.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * What a dispatcher ticking 5 s into every minute from `fromIso` for `hours` would start: each
 * run's instant and key. Its memory is the last slot, as in production.
 */
function ticked(cron: string, timezone: string, fromIso: string, hours: number): Array<{ at: string; key: string }> {
  const schedules = effectiveSchedules([entry(cron, timezone)], []);
  const start = Date.parse(fromIso);
  const last: Record<string, string> = { s: new Date(start).toISOString() };
  const runs: Array<{ at: string; key: string }> = [];
  for (let t = start + MINUTE; t <= start + hours * HOUR; t += MINUTE) {
    for (const d of dueSlots(schedules, last, new Date(t + 5_000), 60)) {
      runs.push({ at: d.slot.toISOString(), key: d.key });
      last.s = d.slot.toISOString();
    }
  }
  return runs;
}
const instants = (runs: Array<{ at: string }>) => runs.map((r) => r.at);

describe("daylight saving time, lists and ranges", () => {
  it("runs `0 2,14 * * *` in Paris twice on the spring-forward day: 02:00 just after the jump, then 14:00", () => {
    // 2026-03-29: at 01:00 UTC Paris jumps from 02:00 to 03:00.
    expect(ticked("0 2,14 * * *", "Europe/Paris", "2026-03-28T22:00:00Z", 24)).toEqual([
      { at: "2026-03-29T01:00:00.000Z", key: "2026-03-29T02:00 Europe/Paris" },
      { at: "2026-03-29T12:00:00.000Z", key: "2026-03-29T14:00 Europe/Paris" },
    ]);
  });

  it("runs `30 1,13 * * *` in New York once at 01:30 on the fall-back day, though 01:30 happens twice", () => {
    // 2026-11-01: 01:30 EDT is 05:30 UTC, then at 06:00 UTC the clocks go back to 01:00 EST.
    expect(ticked("30 1,13 * * *", "America/New_York", "2026-11-01T04:00:00Z", 24)).toEqual([
      { at: "2026-11-01T05:30:00.000Z", key: "2026-11-01T01:30 America/New_York" },
      { at: "2026-11-01T18:30:00.000Z", key: "2026-11-01T13:30 America/New_York" },
    ]);
  });

  it("runs a fixed-time range once per time in the Paris autumn fold", () => {
    // 2026-10-25: 02:00-02:59 happens in summer time (00:xx UTC), then again in winter time (01:xx UTC).
    expect(instants(ticked("0,30 1-3 * * *", "Europe/Paris", "2026-10-24T22:00:00Z", 6))).toEqual([
      "2026-10-24T23:00:00.000Z",
      "2026-10-24T23:30:00.000Z",
      "2026-10-25T00:00:00.000Z",
      "2026-10-25T00:30:00.000Z",
      "2026-10-25T02:00:00.000Z",
      "2026-10-25T02:30:00.000Z",
    ]);
  });

  it("runs several skipped fixed times once, just after the jump, in Paris and New York springs", () => {
    expect(instants(ticked("0,15,45 2 * * *", "Europe/Paris", "2026-03-28T22:00:00Z", 6))).toEqual([
      "2026-03-29T01:00:00.000Z",
    ]);
    // 2026-03-08: New York jumps from 02:00 EST to 03:00 EDT at 07:00 UTC.
    expect(instants(ticked("30 2,3 * * *", "America/New_York", "2026-03-08T04:00:00Z", 6))).toEqual([
      "2026-03-08T07:00:00.000Z",
      "2026-03-08T07:30:00.000Z",
    ]);
  });

  it("lets wildcard and step patterns follow the wall clock: skipped minutes do not run, repeated ones run again", () => {
    expect(ticked("*/30 2 * * *", "Europe/Paris", "2026-03-28T22:00:00Z", 6)).toEqual([]);
    expect(ticked("*/30 2 * * *", "Europe/Paris", "2026-10-24T22:00:00Z", 6)).toEqual([
      { at: "2026-10-25T00:00:00.000Z", key: "2026-10-25T02:00 Europe/Paris" },
      { at: "2026-10-25T00:30:00.000Z", key: "2026-10-25T02:30 Europe/Paris" },
      { at: "2026-10-25T01:00:00.000Z", key: "2026-10-25T02:00 Europe/Paris (repeated)" },
      { at: "2026-10-25T01:30:00.000Z", key: "2026-10-25T02:30 Europe/Paris (repeated)" },
    ]);
    expect(instants(ticked("30 * * * *", "America/New_York", "2026-11-01T04:00:00Z", 4))).toEqual([
      "2026-11-01T04:30:00.000Z",
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T06:30:00.000Z",
      "2026-11-01T07:30:00.000Z",
    ]);
  });

  it("tells fixed-time patterns from wildcard and step ones", () => {
    expect(["0 2,14 * * *", "30 1-3 * * *", "5 4 * * 1"].map(isFixedTime)).toEqual([true, true, true]);
    expect(["* 2 * * *", "0 * * * *", "*/5 2 * * *", "0 1-5/2 * * *", "0 ? * * *"].map(isFixedTime)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

/**
 * The reference the planner is checked against: written apart from it, minute by minute over real
 * time, with its own cron reader and its own reading of the wall clock. Vixie cron's rule: a
 * wildcard or step pattern runs whenever the wall clock matches; a fixed-time pattern runs when
 * the wall clock first reaches a matching time, and once just after a jump over matching times.
 */
function parseField(field: string, min: number, max: number): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    let [lo, hi] = [min, max];
    if (range !== "*") {
      const [a = "", b] = range.split("-");
      lo = Number(a);
      hi = b === undefined ? (stepText === undefined ? lo : max) : Number(b);
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return values;
}

function referenceRuns(cron: string, zone: string, start: number, end: number): string[] {
  const [minute = "", hour = "", dom = "", month = ""] = cron.split(" ");
  const fields = {
    minute: parseField(minute, 0, 59),
    hour: parseField(hour, 0, 23),
    dom: parseField(dom, 1, 31),
    month: parseField(month, 1, 12),
  };
  const fixed = !/[*/]/.test(minute) && !/[*/]/.test(hour);
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
  const wall = (t: number) => {
    const p: Record<string, number> = Object.fromEntries(
      format.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)]),
    );
    return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day, p.hour, p.minute);
  };
  const matches = (w: number) => {
    const d = new Date(w);
    return (
      fields.minute.has(d.getUTCMinutes()) &&
      fields.hour.has(d.getUTCHours()) &&
      fields.dom.has(d.getUTCDate()) &&
      fields.month.has(d.getUTCMonth() + 1)
    );
  };
  const runs: string[] = [];
  let latestWall = wall(start);
  for (let t = start + MINUTE; t <= end; t += MINUTE) {
    const w = wall(t);
    const previous = wall(t - MINUTE);
    let run: boolean;
    if (!fixed) run = matches(w);
    else {
      let skippedMatch = false;
      for (let u = previous + MINUTE; u < w; u += MINUTE) skippedMatch ||= matches(u);
      run = (matches(w) && w > latestWall) || skippedMatch;
    }
    latestWall = Math.max(latestWall, w);
    if (run) runs.push(new Date(t).toISOString());
  }
  return runs;
}

/** Transitions of 2026 in zones with 1-hour and 30-minute shifts, both hemispheres. */
const transitions: Array<[string, string]> = [
  ["Europe/Paris", "2026-03-29T01:00:00Z"],
  ["Europe/Paris", "2026-10-25T01:00:00Z"],
  ["America/New_York", "2026-03-08T07:00:00Z"],
  ["America/New_York", "2026-11-01T06:00:00Z"],
  ["Australia/Sydney", "2026-04-04T16:00:00Z"],
  ["Australia/Sydney", "2026-10-03T16:00:00Z"],
  ["Australia/Lord_Howe", "2026-04-04T15:00:00Z"],
  ["Australia/Lord_Howe", "2026-10-03T15:30:00Z"],
];

const number = (min: number, max: number) => fc.integer({ min, max }).map(String);
/** A field written as a number, list, range, step or wildcard, as people write them. */
const fieldOf = (min: number, max: number, near: number) =>
  fc.oneof(
    fc.integer({ min: Math.max(min, near - 2), max: Math.min(max, near + 2) }).map(String),
    fc.uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 4 }).map((xs) => xs.join(",")),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min: 0, max: 4 }))
      .map(([a, span]) => `${a}-${Math.min(max, a + span)}`),
    fc
      .tuple(number(min, Math.min(max, near + 1)), fc.integer({ min: 2, max: Math.min(30, max) }))
      .map(([a, step]) => `${a}-${max}/${step}`),
    fc.integer({ min: 2, max: Math.min(30, max) }).map((step) => `*/${step}`),
    fc.constant("*"),
  );

describe("the planner against a minute-by-minute wall-clock reference", () => {
  it("agrees on every run within two hours of a DST change, for random patterns with lists and ranges", () => {
    const cases = fc.tuple(
      fc.constantFrom(...transitions),
      fieldOf(0, 59, 30),
      fieldOf(0, 23, 2),
      fc.constantFrom("*", "*", "1-31", "DAY"),
    );
    fc.assert(
      fc.property(cases, ([[zone, transition], minute, hour, dom]) => {
        const at = Date.parse(transition);
        const localDay = new Intl.DateTimeFormat("en-CA", { timeZone: zone, day: "numeric" }).format(new Date(at));
        const cron = `${minute} ${hour} ${dom === "DAY" ? localDay : dom} * *`;
        const planned = ticked(cron, zone, new Date(at - 2 * HOUR).toISOString(), 4);
        expect(instants(planned), cron).toEqual(referenceRuns(cron, zone, at - 2 * HOUR, at + 2 * HOUR));
        // A wall-clock time claimed once is never claimed again.
        expect(new Set(planned.map((r) => r.key)).size).toBe(planned.length);
      }),
      { numRuns: 300, seed: 20261101 },
    );
  });
});
