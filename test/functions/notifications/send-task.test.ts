import { describe, expect, it, vi } from "vitest";
import { stuckWorkCheck } from "../../../functions/maintenance/steps/stuck-work-check.js";
import { configSchema } from "../../../functions/contracts/config/schema.js";
import { MemoryMailer } from "../../../functions/notifications/memory-mailer.js";
import { ProjectRepository } from "../../../functions/notifications/repository.js";
import { noTaskServices } from "../../../functions/tasks/deps.js";
import type { TaskContext } from "../../../functions/tasks/definition.js";
import { runnableTask } from "../../../functions/tasks/implementations.js";
import { getTask } from "../../../functions/tasks/registry.js";
import { migratedDatabase } from "../../support/local-database.js";

describe("notifications.send and the stuck-notification check", () => {
  const t = migratedDatabase(["items", "project_members", "projects", "tasks"]);

  function context(mailer: MemoryMailer): TaskContext {
    return {
      taskId: "t-1",
      attempt: 1,
      signal: new AbortController().signal,
      progress: async () => undefined,
      logger: { info: () => undefined } as never,
      db: t.db,
      services: { ...noTaskServices, mailer: () => mailer },
    };
  }

  async function change(extra?: string) {
    const repository = new ProjectRepository(t.db);
    const project = await repository.createProject("Apollo", "alice", "alice@example.com");
    if (extra) await repository.putMember(project.id, { userId: "x", email: extra, subscribed: true });
    const item = await repository.createItem(project.id, { title: "Launch", body: "" }, "alice");
    return { projectId: project.id, itemId: item.id, change: "updated" as const, actor: "alice" };
  }

  it("is internal, on the notifications queue, and emails through the mailer the context hands it", async () => {
    expect(getTask("notifications.send")).toMatchObject({ access: "internal", queue: "notifications" });
    const mailer = new MemoryMailer();
    const result = await runnableTask("notifications.send")?.run(await change(), context(mailer));
    expect(result).toMatchObject({ recipients: 1, sent: 1 });
    expect(mailer.sent.map((e) => e.to)).toEqual(["alice@example.com"]);
  });

  it("throws when an email is refused, so the worker retries it", async () => {
    const mailer = new MemoryMailer().refuse("x@example.com");
    await expect(
      runnableTask("notifications.send")?.run(await change("x@example.com"), context(mailer)),
    ).rejects.toThrow(/1 of 2 notification email\(s\) failed \(first: x@example.com: MessageRejected/);
    expect(mailer.sent.map((e) => e.to)).toEqual(["alice@example.com"]);
  });

  it("the stuck-work check warns about notifications unsent for longer than the configured age", async () => {
    const now = new Date("2026-11-22T12:00:00Z");
    const config = configSchema.parse({
      stage: "local",
      queues: { default: {} },
      notifications: { stuckAfterMinutes: 10 },
    });
    const insert = (name: string, status: string, minutesAgo: number) =>
      t.db.query(
        `INSERT INTO tasks (name, queue, payload, status, max_attempts, created_at)
          VALUES (:name, 'notifications', '{}', :status, 3, :createdAt)`,
        { name, status, createdAt: new Date(now.getTime() - minutesAgo * 60_000) },
      );
    await insert("notifications.send", "queued", 11);
    await insert("notifications.send", "retrying", 30);
    await insert("notifications.send", "queued", 5); // young enough
    await insert("notifications.send", "failed", 60); // over: the DLQ and the failed list report those
    await insert("diagnostics.echo", "queued", 30); // not a notification
    const addMetric = vi.fn();
    const warn = vi.fn();
    const result = await stuckWorkCheck.run({
      db: t.db,
      config,
      now,
      logger: { info: () => undefined, warn },
      metrics: { addMetric },
    });
    expect(result).toMatchObject({ notificationsPending: 2 });
    expect(result.warnings).toContain("2 notification(s) pending for more than 10 min");
    expect(addMetric).toHaveBeenCalledWith("StuckNotifications", "Count", 2);
    expect(warn).toHaveBeenCalledWith("Stuck work found", expect.anything());
  });
});
