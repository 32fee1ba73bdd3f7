import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../../functions/contracts/config/load.js";
import type { StepContext } from "../../../functions/maintenance/step.js";
import { cleanIncompleteUploads } from "../../../functions/maintenance/steps/clean-incomplete-uploads.js";
import { maintenanceSteps } from "../../../functions/maintenance/steps/index.js";
import { purgeFinishedTasks } from "../../../functions/maintenance/steps/purge-finished-tasks.js";
import { purgeOldEvents } from "../../../functions/maintenance/steps/purge-old-events.js";
import { stuckWorkCheck } from "../../../functions/maintenance/steps/stuck-work-check.js";
import { vacuum } from "../../../functions/maintenance/steps/vacuum.js";
import { migratedDatabase } from "../../support/local-database.js";
import { testQueues } from "../../support/task-deps.js";

const now = new Date("2026-06-30T12:00:00Z");
const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);

describe("maintenance steps", () => {
  const t = migratedDatabase(["tasks", "events", "media_objects", "schedule_slots"]);
  let context: StepContext;
  beforeEach(async () => {
    context = { db: t.db, config: loadConfig("local"), now, logger: { info: () => undefined, warn: () => undefined } };
  });

  const task = (status: string, fields: Record<string, unknown> = {}) =>
    t.db.query(
      `INSERT INTO tasks (name, queue, payload, status, max_attempts, finished_at, lease_expires_at, created_at)
       VALUES ('diagnostics.echo', 'default', '{}', :status, 3, :finishedAt, :lease, :createdAt)`,
      { status, finishedAt: null, lease: null, createdAt: now, ...fields },
    );

  it("run VACUUM last, after the purges that leave it something to reclaim, each step once", () => {
    const names = maintenanceSteps.map((s) => s.name);
    expect(names.at(-1)).toBe("vacuum");
    expect(new Set(names).size).toBe(names.length);
    for (const purge of names.filter((n) => n.startsWith("purge-") || n.startsWith("clean-"))) {
      expect(names.indexOf(purge), purge).toBeLessThan(names.indexOf("vacuum"));
    }
  });

  it("purge-finished-tasks deletes finished tasks past retention and keeps the rest", async () => {
    await task("succeeded", { finishedAt: daysAgo(31) });
    await task("failed", { finishedAt: daysAgo(40) });
    await task("succeeded", { finishedAt: daysAgo(2) });
    await task("queued", { createdAt: daysAgo(60) });
    const result = await purgeFinishedTasks.run(context);
    expect(result).toMatchObject({ tasksDeleted: 2 });
    expect(await t.db.rows("SELECT status FROM tasks ORDER BY status")).toEqual([
      { status: "queued" },
      { status: "succeeded" },
    ]);
  });

  it("purge-old-events deletes ended events past retention, never one in progress", async () => {
    await t.db.query(
      "INSERT INTO events (topic, status, updated_at) VALUES ('a', 'finished', :old), ('b', 'in_progress', :old), ('c', 'failed', :recent)",
      {
        old: daysAgo(100),
        recent: daysAgo(1),
      },
    );
    expect(await purgeOldEvents.run(context)).toMatchObject({ eventsDeleted: 1 });
    expect(await t.db.rows("SELECT topic FROM events ORDER BY topic")).toEqual([{ topic: "b" }, { topic: "c" }]);
  });

  it("stuck-work-check reports tasks past their lease, tasks queued too long and dead letters, and emits a metric", async () => {
    await task("running", { lease: new Date(now.getTime() - 60_000) });
    await task("running", { lease: new Date(now.getTime() + 60_000) });
    await task("queued", { createdAt: new Date(now.getTime() - 2 * 3_600_000) });
    const sqs = new SQSClient({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    mockClient(sqs)
      .on(GetQueueAttributesCommand)
      .resolves({ Attributes: { ApproximateNumberOfMessages: "0" } })
      .on(GetQueueAttributesCommand, { QueueUrl: testQueues.default.deadLetterUrl })
      .resolves({ Attributes: { ApproximateNumberOfMessages: "2" } });
    const addMetric = vi.fn();
    const result = await stuckWorkCheck.run({ ...context, sqs, queues: testQueues, metrics: { addMetric } });
    expect(result).toMatchObject({
      runningPastLease: 1,
      queuedTooLong: 1,
      deadLetters: { default: 2, reports: 0 },
      warnings: [
        "1 task(s) running past their lease",
        "1 task(s) queued for more than 1h",
        "2 message(s) in the default dead-letter queue",
      ],
    });
    expect(addMetric).toHaveBeenCalledWith("StuckWork", "Count", 3);
  });

  it("clean-incomplete-uploads deletes stale pending uploads and their objects, not stored ones", async () => {
    await t.db.query(
      `INSERT INTO media_objects (owner, object_key, filename, content_type, status, created_at) VALUES
        ('a', 'media/1/a.txt', 'a.txt', 'text/plain', 'pending', :old),
        ('a', 'media/2/b.txt', 'b.txt', 'text/plain', 'stored', :old),
        ('a', 'media/3/c.txt', 'c.txt', 'text/plain', 'pending', :recent)`,
      { old: daysAgo(2), recent: now },
    );
    const deleted: string[] = [];
    const result = await cleanIncompleteUploads.run({
      ...context,
      deleteMediaObject: async (key) => void deleted.push(key),
    });
    expect(result).toMatchObject({ deleted: 1 });
    expect(deleted).toEqual(["media/1/a.txt"]);
    expect(
      (await t.db.rows<{ key: string }>("SELECT object_key AS key FROM media_objects ORDER BY object_key")).map(
        (r) => r.key,
      ),
    ).toEqual(["media/2/b.txt", "media/3/c.txt"]);
    expect(await cleanIncompleteUploads.run(context)).toEqual({ deleted: 0, note: "media store not configured" });
  });

  it("vacuum runs VACUUM (ANALYZE) through the Data API", async () => {
    t.server.resetStats();
    expect(await vacuum.run(context)).toEqual({ durationMs: expect.any(Number) });
    expect(t.server.stats().requests).toBe(1);
  });
});
