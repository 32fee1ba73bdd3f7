import { describe, expect, it } from "vitest";
import {
  maintenanceRunKey,
  oneByOne,
  slotIdempotencyKey,
  tick,
  type DispatcherDeps,
} from "../../../functions/scheduler/dispatch.js";
import type { PeriodicEntry } from "../../../functions/scheduler/periodic.js";
import { dueSlots, effectiveSchedules } from "../../../functions/scheduler/plan.js";
import { claimSlots, saveOverride } from "../../../functions/scheduler/store.js";
import { enqueueTask } from "../../../functions/tasks/index.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testQueues, testTaskDeps } from "../../support/task-deps.js";

const entries: PeriodicEntry[] = [
  {
    name: "minutely",
    cron: "* * * * *",
    timezone: "UTC",
    enabled: true,
    description: "",
    target: { kind: "task", task: "diagnostics.echo", payload: { message: "m" } },
  },
  {
    name: "maintenance.daily",
    cron: "30 3 * * *",
    timezone: "Europe/Paris",
    enabled: true,
    description: "",
    target: { kind: "maintenance" },
  },
];
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe("tick", () => {
  const t = migratedDatabase(["schedule_slots", "schedule_state", "schedule_overrides", "tasks"]);

  function deps(now: Date, overrides: Partial<DispatcherDeps> = {}) {
    const enqueued: string[] = [];
    const maintenance: string[] = [];
    const d: DispatcherDeps = {
      db: t.db,
      now: () => now,
      entries,
      maxCatchUpMinutes: 60,
      logger: silent,
      enqueue: oneByOne(async (_task, _payload, key) => {
        enqueued.push(key);
      }),
      startMaintenance: async (runKey) => {
        maintenance.push(runKey);
      },
      releaseScheduled: async () => 0,
      ...overrides,
    };
    return { d, enqueued, maintenance };
  }

  it("enqueues each due slot once however many ticks run at once", async () => {
    // 03:30 in Paris (winter) is 02:30 UTC: both schedules are due.
    const now = new Date("2026-01-15T02:30:07Z");
    const runs = Array.from({ length: 6 }, () => deps(now));
    const reports = await Promise.all(runs.map((r) => tick(r.d)));
    expect(runs.flatMap((r) => r.enqueued)).toEqual(["schedule:minutely:2026-01-15T02:30 UTC"]);
    expect(runs.flatMap((r) => r.maintenance)).toEqual(["daily-2026-01-15"]);
    expect(reports.reduce((n, r) => n + r.started.length, 0)).toBe(2);
    // A late, repeated tick for the same minute finds nothing left to do.
    const late = deps(new Date("2026-01-15T02:30:55Z"));
    expect((await tick(late.d)).started).toEqual([]);
  });

  it("moves on to the next minute's slot", async () => {
    await tick(deps(new Date("2026-01-15T10:00:03Z")).d);
    const next = deps(new Date("2026-01-15T10:01:02Z"));
    await tick(next.d);
    expect(next.enqueued).toEqual(["schedule:minutely:2026-01-15T10:01 UTC"]);
  });

  it("gives a slot back when its work could not start, so the next tick retries it", async () => {
    const failing = deps(new Date("2026-01-15T10:00:03Z"), {
      enqueue: oneByOne(async () => {
        throw new Error("SQS down");
      }),
    });
    const report = await tick(failing.d);
    expect(report.failed).toEqual(["minutely@2026-01-15T10:00 UTC"]);
    const retry = deps(new Date("2026-01-15T10:00:40Z"));
    await tick(retry.d);
    expect(retry.enqueued).toEqual(["schedule:minutely:2026-01-15T10:00 UTC"]);
  });

  it("follows a runtime override without a redeploy", async () => {
    await saveOverride(t.db, "minutely", { enabled: false }, "ops");
    const run = deps(new Date("2026-01-15T10:00:03Z"));
    await tick(run.d);
    expect(run.enqueued).toEqual([]);
  });

  it("costs a bounded number of Data API calls per tick", async () => {
    t.server.resetStats();
    await tick(deps(new Date("2026-01-15T10:00:03Z")).d);
    // State read, slot claim, state record; release is injected here.
    expect(t.server.stats().requests).toBe(3);
  });

  /** What a dispatcher that died after claiming would leave behind: a claim, nothing recorded. */
  async function abandonedClaim(now: Date, name: string) {
    const due = dueSlots(effectiveSchedules(entries, []), {}, now, 60).filter((d) => d.schedule.name === name);
    expect(await claimSlots(t.db, due)).toHaveLength(1);
    return due[0]?.slot as Date;
  }
  const ageClaims = (minutes: number) =>
    t.db.query("UPDATE schedule_slots SET claimed_at = now() - make_interval(mins => :minutes::int)", { minutes });

  it("takes over a claim whose dispatcher died before starting it, but only once its lease has run out", async () => {
    const now = new Date("2026-01-15T02:30:07Z");
    await abandonedClaim(now, "maintenance.daily");
    const soon = deps(new Date("2026-01-15T02:30:40Z"));
    await tick(soon.d);
    expect(soon.maintenance).toEqual([]);
    await ageClaims(10);
    const later = deps(new Date("2026-01-15T02:34:00Z"));
    await tick(later.d);
    expect(later.maintenance).toEqual(["daily-2026-01-15"]);
    // Once started, the claim is never taken over again, however old it gets.
    await ageClaims(10);
    await t.db.query("DELETE FROM schedule_state");
    const again = deps(new Date("2026-01-15T02:35:00Z"));
    await tick(again.d);
    expect(again.maintenance).toEqual([]);
  });

  it("enqueues one task when a dispatcher died between enqueueing and recording, and another took its claim over", async () => {
    const { deps: taskDeps, sent } = testTaskDeps(t.db);
    const digest: PeriodicEntry = {
      name: "digest",
      cron: "0 7 * * *",
      timezone: "Europe/Paris",
      enabled: true,
      description: "",
      target: { kind: "task", task: "reports.daily-digest", payload: { hours: 24 } },
    };
    const realEnqueue = async (task: string, payload: unknown, key: string) => {
      await enqueueTask(taskDeps, { name: task, payload, idempotencyKey: key, createdBy: "scheduler" });
    };
    // 07:00 in Paris in winter is 06:00 UTC.
    const now = new Date("2026-01-15T06:00:05Z");
    const [due] = dueSlots(effectiveSchedules([digest], []), {}, now, 60);
    expect(due).toBeDefined();
    await claimSlots(t.db, [due!]);
    await realEnqueue("reports.daily-digest", { hours: 24 }, slotIdempotencyKey("digest", due!.key));
    await ageClaims(10);
    await tick({ ...deps(new Date("2026-01-15T06:04:00Z")).d, entries: [digest], enqueue: oneByOne(realEnqueue) });
    const tasks = await t.db.rows<{ queue: string; idempotency_key: string }>(
      "SELECT queue, idempotency_key FROM tasks",
    );
    expect(tasks).toEqual([{ queue: "reports", idempotency_key: "schedule:digest:2026-01-15T07:00 Europe/Paris" }]);
    expect(sent().map((m) => m.queueUrl)).toEqual([testQueues.reports.url]);
  });

  it("drops claims older than the catch-up window when it records a run", async () => {
    await t.db.query(
      "INSERT INTO schedule_slots (name, slot_key, slot, started_at) VALUES ('old', '2026-01-15T07:59 UTC', '2026-01-15T07:59:00Z', now()), ('recent', '2026-01-15T09:30 UTC', '2026-01-15T09:30:00Z', now())",
    );
    await tick(deps(new Date("2026-01-15T10:00:03Z")).d);
    const kept = await t.db.rows<{ name: string }>("SELECT name FROM schedule_slots ORDER BY name");
    expect(kept.map((r) => r.name)).toEqual(["minutely", "recent"]);
  });

  it("enqueues a chunk's slots in one call", async () => {
    const many: PeriodicEntry[] = Array.from({ length: 20 }, (_, i) => ({ ...entries[0]!, name: `m${i}` }));
    const calls: number[] = [];
    const report = await tick({
      ...deps(new Date("2026-01-15T10:00:03Z")).d,
      entries: many,
      enqueue: async (items) => {
        calls.push(items.length);
        return items.map(() => undefined);
      },
    });
    expect(report.started).toHaveLength(20);
    expect(calls).toEqual([20]);
  });

  describe("a tick that runs out of time", () => {
    const many: PeriodicEntry[] = Array.from({ length: 5 }, (_, i) => ({ ...entries[0]!, name: `m${i}` }));
    const claims = async () =>
      (await t.db.rows<{ name: string }>("SELECT name FROM schedule_slots ORDER BY name")).map((r) => r.name);

    it("claims nothing it cannot start, and the next tick starts every slot once", async () => {
      const starved = deps(new Date("2026-01-15T10:00:03Z"));
      // Nothing left beyond the reserve: no slot is claimed, none recorded.
      const first = await tick({ ...starved.d, entries: many, remainingMs: () => 10_000, reserveMs: 10_000 });
      expect(first).toMatchObject({ due: 5, started: [], carried: 5 });
      expect(await claims()).toEqual([]);
      const next = deps(new Date("2026-01-15T10:00:40Z"));
      const second = await tick({ ...next.d, entries: many });
      expect(second).toMatchObject({ carried: 0 });
      expect(next.enqueued.sort()).toEqual(many.map((e) => `schedule:${e.name}:2026-01-15T10:00 UTC`));
    });

    it("stops between chunks when the time is gone, and the rest starts at the next tick", async () => {
      const first = deps(new Date("2026-01-15T10:00:03Z"));
      let checks = 0;
      // Time for the first chunk (2 slots), none after it.
      const report = await tick({
        ...first.d,
        entries: many,
        maxChunk: 2,
        remainingMs: () => (checks++ === 0 ? 60_000 : 0),
      });
      expect(report).toMatchObject({ due: 5, carried: 3 });
      expect(first.enqueued).toHaveLength(2);
      expect(await claims()).toHaveLength(2);
      const second = deps(new Date("2026-01-15T10:00:40Z"));
      expect(await tick({ ...second.d, entries: many, maxChunk: 2 })).toMatchObject({ due: 3, carried: 0 });
      expect([...first.enqueued, ...second.enqueued].sort()).toEqual(
        many.map((e) => `schedule:${e.name}:2026-01-15T10:00 UTC`),
      );
      const third = deps(new Date("2026-01-15T10:00:55Z"));
      expect(await tick({ ...third.d, entries: many })).toMatchObject({ due: 0, started: [] });
    });

    it("starts the schedules that waited longest first, so a beat that cannot keep up starves none", async () => {
      await t.db.query(
        "INSERT INTO schedule_state (name, last_slot) VALUES ('m0', '2026-01-15T09:59:00Z'), ('m1', '2026-01-15T09:59:00Z'), ('m2', '2026-01-15T09:59:00Z'), ('m3', '2026-01-15T09:58:00Z'), ('m4', '2026-01-15T09:58:00Z')",
      );
      const run = deps(new Date("2026-01-15T10:00:03Z"));
      let checks = 0;
      await tick({ ...run.d, entries: many, maxChunk: 2, remainingMs: () => (checks++ === 0 ? 60_000 : 0) });
      expect(run.enqueued.sort()).toEqual(["schedule:m3:2026-01-15T10:00 UTC", "schedule:m4:2026-01-15T10:00 UTC"]);
    });
  });

  it("claims a wall-clock time once, even when two instants were computed for it (a DST fold)", async () => {
    // 01:30 in New York happens at 05:30 and 06:30 UTC on 2026-11-01; the claim is keyed on the wall clock.
    const [schedule] = effectiveSchedules(
      [{ ...entries[0]!, name: "ny", cron: "30 1,13 * * *", timezone: "America/New_York" }],
      [],
    );
    const key = "2026-11-01T01:30 America/New_York";
    expect(await claimSlots(t.db, [{ schedule: schedule!, slot: new Date("2026-11-01T05:30:00Z"), key }])).toHaveLength(
      1,
    );
    expect(await claimSlots(t.db, [{ schedule: schedule!, slot: new Date("2026-11-01T06:30:00Z"), key }])).toEqual([]);
    // A tick in the repeated hour, with the schedule's memory lost, finds nothing due either.
    await t.db.query("DELETE FROM schedule_state");
    const repeated = deps(new Date("2026-11-01T06:30:05Z"));
    expect(
      (
        await tick({
          ...repeated.d,
          entries: [{ ...entries[0]!, name: "ny", cron: "30 1,13 * * *", timezone: "America/New_York" }],
        })
      ).started,
    ).toEqual([]);
  });

  it("names the maintenance run after the slot's local date", () => {
    // 00:30 on the 16th in Paris is still the 15th in UTC.
    expect(maintenanceRunKey(new Date("2026-01-15T23:30:00Z"), "Europe/Paris")).toBe("daily-2026-01-16");
    expect(maintenanceRunKey(new Date("2026-01-15T23:30:00Z"), "America/New_York")).toBe("daily-2026-01-15");
  });
});
