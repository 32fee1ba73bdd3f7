import { describe, expect, it } from "vitest";
import type { PeriodicEntry } from "../../../functions/scheduler/periodic.js";
import { effectiveSchedules, type DueSlot } from "../../../functions/scheduler/plan.js";
import { claimSlots } from "../../../functions/scheduler/store.js";
import { fulfilledValues, postgresUrlOrSkip, raceBehindLock } from "../../support/contention.js";
import { migratedDatabase } from "../../support/local-database.js";

const TICKS = 8;
const entries: PeriodicEntry[] = ["minutely", "hourly", "nightly"].map((name) => ({
  name,
  cron: "* * * * *",
  timezone: "UTC",
  enabled: true,
  description: "",
  target: { kind: "task", task: "diagnostics.echo", payload: { message: name } },
}));
const slot = new Date("2026-03-01T04:00:00Z");
const due: DueSlot[] = effectiveSchedules(entries, []).map((schedule) => ({
  schedule,
  slot,
  key: "2026-03-01T04:00 UTC",
}));
const claimedPairs = (claims: DueSlot[][]) =>
  claims
    .flat()
    .map((d) => `${d.schedule.name}@${d.slot.toISOString()}`)
    .sort();

describe("claimSlots under contention", () => {
  const t = migratedDatabase(["schedule_slots"]);
  // Holding SHARE on the table blocks every insert and update into it until the holder ends.
  const holdSlotsTable = [{ sql: "LOCK TABLE schedule_slots IN SHARE MODE" }];

  it("hands each (schedule, slot) pair to exactly one of many simultaneous ticks", async (context) => {
    const url = postgresUrlOrSkip(context, t);
    const race = await raceBehindLock(url, holdSlotsTable, TICKS, () => claimSlots(t.db, due));

    expect(claimedPairs(fulfilledValues(race.results))).toEqual(claimedPairs([due]));
    expect(await t.db.first("SELECT count(*)::int AS n FROM schedule_slots")).toEqual({ n: due.length });
    expect(race).toMatchObject({ queued: TICKS, finishedBeforeRelease: 0 });
  });

  it("lets exactly one of many simultaneous ticks take over an expired, never-started claim", async (context) => {
    const url = postgresUrlOrSkip(context, t);
    expect(await claimSlots(t.db, due)).toHaveLength(due.length);
    await t.db.query("UPDATE schedule_slots SET claimed_at = now() - interval '1 hour'");

    const race = await raceBehindLock(url, holdSlotsTable, TICKS, () => claimSlots(t.db, due, 60));

    expect(claimedPairs(fulfilledValues(race.results))).toEqual(claimedPairs([due]));
    expect(race).toMatchObject({ queued: TICKS, finishedBeforeRelease: 0 });
  });
});
