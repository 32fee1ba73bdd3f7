import { describe, expect, it } from "vitest";
import { oneByOne, tick, type DispatcherDeps } from "../../../functions/scheduler/dispatch.js";
import type { PeriodicEntry } from "../../../functions/scheduler/periodic.js";
import { saveOverride } from "../../../functions/scheduler/store.js";
import { enqueueTask } from "../../../functions/tasks/index.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testTaskDeps } from "../../support/task-deps.js";

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const task = (name: string, choices: Pick<PeriodicEntry, "missed" | "overlap"> = {}): PeriodicEntry => ({
  name,
  cron: "*/5 * * * *",
  timezone: "UTC",
  enabled: true,
  description: "",
  target: { kind: "task", task: "diagnostics.echo", payload: { message: name } },
  ...choices,
});

describe("tick with per-schedule choices", () => {
  const t = migratedDatabase(["schedule_slots", "schedule_state", "schedule_overrides", "tasks"]);

  /** A tick whose enqueue writes real task rows, so the overlap lookup sees them. */
  function deps(now: string, entries: PeriodicEntry[], overrides: Partial<DispatcherDeps> = {}) {
    const { deps: taskDeps } = testTaskDeps(t.db);
    const enqueued: string[] = [];
    const d: DispatcherDeps = {
      db: t.db,
      now: () => new Date(now),
      entries,
      maxCatchUpMinutes: 60,
      logger: silent,
      enqueue: oneByOne(async (name, payload, key) => {
        await enqueueTask(taskDeps, { name, payload, idempotencyKey: key, createdBy: "scheduler" });
        enqueued.push(key);
      }),
      startMaintenance: async () => undefined,
      releaseScheduled: async () => 0,
      ...overrides,
    };
    return { d, enqueued };
  }
  const setStatus = (status: string) => t.db.query("UPDATE tasks SET status = :status", { status });
  const lastSlot = async (name: string) =>
    (
      await t.db.first<{ last: string }>("SELECT last_slot::text AS last FROM schedule_state WHERE name = :name", {
        name,
      })
    )?.last;

  describe('overlap: "skip"', () => {
    for (const status of ["queued", "running", "retrying"]) {
      it(`skips a slot for good while the previous run is ${status}`, async () => {
        const entries = [task("ov", { overlap: "skip" })];
        expect((await tick(deps("2026-06-01T10:00:05Z", entries).d)).started).toEqual(["ov@2026-06-01T10:00 UTC"]);
        await setStatus(status);
        const second = deps("2026-06-01T10:05:05Z", entries);
        const report = await tick(second.d);
        expect(report.overlapped).toEqual(["ov@2026-06-01T10:05 UTC"]);
        expect(second.enqueued).toEqual([]);
        // Recorded as skipped and decided: the slot is not tried again, and the schedule moves on.
        expect(
          await t.db.rows(
            "SELECT slot_key, skipped, started_at IS NOT NULL AS decided FROM schedule_slots ORDER BY slot",
          ),
        ).toEqual([
          { slot_key: "2026-06-01T10:00 UTC", skipped: false, decided: true },
          { slot_key: "2026-06-01T10:05 UTC", skipped: true, decided: true },
        ]);
        await setStatus("succeeded");
        const retry = deps("2026-06-01T10:05:40Z", entries);
        expect((await tick(retry.d)).started).toEqual([]);
        const next = deps("2026-06-01T10:10:05Z", entries);
        expect((await tick(next.d)).started).toEqual(["ov@2026-06-01T10:10 UTC"]);
      });
    }

    it("starts the next slot once the previous run has finished, whatever its outcome", async () => {
      const entries = [task("ov", { overlap: "skip" })];
      await tick(deps("2026-06-01T10:00:05Z", entries).d);
      for (const [minute, status] of [
        ["05", "failed"],
        ["10", "cancelled"],
        ["15", "succeeded"],
      ] as const) {
        await setStatus(status);
        expect((await tick(deps(`2026-06-01T10:${minute}:05Z`, entries).d)).started, status).toEqual([
          `ov@2026-06-01T10:${minute} UTC`,
        ]);
      }
    });

    it("is not blocked by another schedule whose name shares a prefix", async () => {
      const entries = [task("ov", { overlap: "skip" }), task("ov.other", { overlap: "skip" })];
      await tick(deps("2026-06-01T10:00:05Z", [entries[1]!]).d);
      // "ov.other" has a run queued; "ov" has none, whatever `schedule:ov` prefixes.
      const report = await tick(deps("2026-06-01T10:05:05Z", entries).d);
      expect(report.started).toEqual(["ov@2026-06-01T10:05 UTC"]);
      expect(report.overlapped).toEqual(["ov.other@2026-06-01T10:05 UTC"]);
    });

    it("is blocked by a run-now of the same schedule still in flight", async () => {
      const { deps: taskDeps } = testTaskDeps(t.db);
      await enqueueTask(taskDeps, {
        name: "diagnostics.echo",
        payload: { message: "by hand" },
        idempotencyKey: "schedule:ov:manual:123",
        createdBy: "scheduler",
      });
      expect((await tick(deps("2026-06-01T10:05:05Z", [task("ov", { overlap: "skip" })]).d)).overlapped).toEqual([
        "ov@2026-06-01T10:05 UTC",
      ]);
    });

    it('with "allow" (the default), starts the next slot while the previous is still running', async () => {
      const entries = [task("ov")];
      await tick(deps("2026-06-01T10:00:05Z", entries).d);
      await setStatus("running");
      const report = await tick(deps("2026-06-01T10:05:05Z", entries).d);
      expect(report).toMatchObject({ started: ["ov@2026-06-01T10:05 UTC"], overlapped: [] });
    });

    it("follows a runtime override", async () => {
      const entries = [task("ov")];
      await tick(deps("2026-06-01T10:00:05Z", entries).d);
      await setStatus("running");
      await saveOverride(t.db, "ov", { overlap: "skip" }, "ops");
      expect((await tick(deps("2026-06-01T10:05:05Z", entries).d)).overlapped).toEqual(["ov@2026-06-01T10:05 UTC"]);
    });

    it('with missed "all", starts the earliest missed slot and skips the rest, which overlap it', async () => {
      const entries = [task("ov", { overlap: "skip", missed: "all" })];
      await t.db.query("INSERT INTO schedule_state (name, last_slot) VALUES ('ov', '2026-06-01T10:00:00Z')");
      const run = deps("2026-06-01T10:15:05Z", entries);
      const report = await tick(run.d);
      expect(run.enqueued).toEqual(["schedule:ov:2026-06-01T10:05 UTC"]);
      expect(report.overlapped).toEqual(["ov@2026-06-01T10:10 UTC", "ov@2026-06-01T10:15 UTC"]);
      expect(await lastSlot("ov")).toBe("2026-06-01 10:15:00+00");
    });
  });

  describe('missed: "all"', () => {
    it("enqueues each missed slot once, however many ticks run at once", async () => {
      const entries = [task("all", { missed: "all" })];
      await t.db.query("INSERT INTO schedule_state (name, last_slot) VALUES ('all', '2026-06-01T10:00:00Z')");
      const runs = Array.from({ length: 4 }, () => deps("2026-06-01T10:20:05Z", entries));
      await Promise.all(runs.map((r) => tick(r.d)));
      expect(runs.flatMap((r) => r.enqueued).sort()).toEqual(
        ["10:05", "10:10", "10:15", "10:20"].map((m) => `schedule:all:2026-06-01T${m} UTC`),
      );
      expect(await t.db.first("SELECT count(*)::int AS n FROM tasks")).toEqual({ n: 4 });
    });

    it("tries a slot that failed to start again, without repeating the later ones that started", async () => {
      const entries = [task("all", { missed: "all" })];
      await t.db.query("INSERT INTO schedule_state (name, last_slot) VALUES ('all', '2026-06-01T10:00:00Z')");
      const flaky = deps("2026-06-01T10:15:05Z", entries);
      const realEnqueue = flaky.d.enqueue;
      const report = await tick({
        ...flaky.d,
        enqueue: async (items) => {
          const errors = await realEnqueue(items.filter((item) => !item.idempotencyKey.endsWith("10:10 UTC")));
          return items.map((item) =>
            item.idempotencyKey.endsWith("10:10 UTC") ? new Error("SQS down") : errors.shift(),
          );
        },
      });
      expect(report.failed).toEqual(["all@2026-06-01T10:10 UTC"]);
      expect(await lastSlot("all")).toBe("2026-06-01 10:05:00+00");
      const retry = deps("2026-06-01T10:15:40Z", entries);
      await tick(retry.d);
      expect(retry.enqueued).toEqual(["schedule:all:2026-06-01T10:10 UTC"]);
      // 10:15 keeps its claim from the first tick, so a later tick does not start it again.
      const later = deps("2026-06-01T10:16:05Z", entries);
      await tick(later.d);
      expect(later.enqueued).toEqual([]);
      expect(await t.db.first("SELECT count(*)::int AS n FROM tasks")).toEqual({ n: 3 });
    });
  });

  it('with missed "none", a slot missed by a late tick stays missed', async () => {
    const entries = [task("none", { missed: "none" })];
    await t.db.query("INSERT INTO schedule_state (name, last_slot) VALUES ('none', '2026-06-01T10:00:00Z')");
    const late = deps("2026-06-01T10:16:02Z", entries);
    expect((await tick(late.d)).started).toEqual([]);
    const onTime = deps("2026-06-01T10:20:02Z", entries);
    expect((await tick(onTime.d)).started).toEqual(["none@2026-06-01T10:20 UTC"]);
  });
});
