import { describe, expect, it } from "vitest";
import { tick, type DispatcherDeps } from "../../../functions/scheduler/dispatch.js";
import type { PeriodicEntry } from "../../../functions/scheduler/periodic.js";
import { saveOverride } from "../../../functions/scheduler/store.js";
import { migratedDatabase } from "../../support/local-database.js";

const entries: PeriodicEntry[] = [
  { name: "minutely", cron: "* * * * *", timezone: "UTC", enabled: true, description: "", target: { kind: "task", task: "diagnostics.echo", payload: { message: "m" } } },
  { name: "maintenance.daily", cron: "30 3 * * *", timezone: "Europe/Paris", enabled: true, description: "", target: { kind: "maintenance" } },
];
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe("tick", () => {
  const t = migratedDatabase(["schedule_slots", "schedule_state", "schedule_overrides"]);

  function deps(now: Date, overrides: Partial<DispatcherDeps> = {}) {
    const enqueued: string[] = [];
    const maintenance: string[] = [];
    const d: DispatcherDeps = {
      db: t.db,
      now: () => now,
      entries,
      maxCatchUpMinutes: 60,
      logger: silent,
      enqueue: async (_task, _payload, key) => {
        enqueued.push(key);
      },
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
    expect(runs.flatMap((r) => r.enqueued)).toEqual(["schedule:minutely:2026-01-15T02:30:00.000Z"]);
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
    expect(next.enqueued).toEqual(["schedule:minutely:2026-01-15T10:01:00.000Z"]);
  });

  it("gives a slot back when its work could not start, so the next tick retries it", async () => {
    const failing = deps(new Date("2026-01-15T10:00:03Z"), {
      enqueue: async () => {
        throw new Error("SQS down");
      },
    });
    const report = await tick(failing.d);
    expect(report.failed).toEqual(["minutely@2026-01-15T10:00:00.000Z"]);
    const retry = deps(new Date("2026-01-15T10:00:40Z"));
    await tick(retry.d);
    expect(retry.enqueued).toEqual(["schedule:minutely:2026-01-15T10:00:00.000Z"]);
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
});
