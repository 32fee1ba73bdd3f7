import { describe, expect, it, vi } from "vitest";
import { dispatchNotification, type DispatchDeps } from "../../../functions/notifications/dispatch.js";
import { refusingRecipientsAt } from "../../../functions/notifications/mailer.js";
import { MemoryMailer } from "../../../functions/notifications/memory-mailer.js";
import { asyncSetting, modeFor, saveAsyncOverride } from "../../../functions/notifications/mode.js";
import { notify, type ItemChange } from "../../../functions/notifications/notify.js";
import { ProjectRepository } from "../../../functions/notifications/repository.js";
import { migratedDatabase } from "../../support/local-database.js";

const silent = { info: () => undefined, error: () => undefined };

describe("notifications domain", () => {
  const t = migratedDatabase(["items", "project_members", "projects", "settings"]);

  async function projectWithSubscribers(count: number) {
    const repository = new ProjectRepository(t.db);
    const project = await repository.createProject("Apollo", "alice", "alice@example.com");
    for (let i = 0; i < count; i++)
      await repository.putMember(project.id, { userId: `user-${i}`, email: `user-${i}@example.com`, subscribed: true });
    const item = await repository.createItem(project.id, { title: "Launch", body: "T-minus 10" }, "alice");
    const change: ItemChange = { projectId: project.id, itemId: item.id, change: "created", actor: "alice" };
    return { repository, project, item, change };
  }

  it("a project's creator is its first member; only members see it, admins see every project", async () => {
    const repository = new ProjectRepository(t.db);
    const project = await repository.createProject("Apollo", "alice", undefined);
    expect(await repository.members(project.id)).toEqual([{ userId: "alice", email: null, subscribed: false }]);
    expect(await repository.visibleProject(project.id, "alice", false)).toMatchObject({ id: project.id });
    expect(await repository.visibleProject(project.id, "bob", false)).toBeUndefined();
    expect(await repository.visibleProject(project.id, "carol", true)).toMatchObject({ id: project.id });
    await repository.putMember(project.id, { userId: "bob", email: "bob@example.com", subscribed: true });
    expect(await repository.visibleProject(project.id, "bob", false)).toMatchObject({ id: project.id });
    expect((await repository.listProjects("dave", false)).map((p) => p.id)).toEqual([]);
    expect((await repository.listProjects("bob", false)).map((p) => p.id)).toEqual([project.id]);
    expect((await repository.listProjects("dave", true)).map((p) => p.id)).toEqual([project.id]);
  });

  it("an update bumps the version; an item of another project is not found", async () => {
    const { repository, project, item } = await projectWithSubscribers(0);
    const other = await repository.createProject("Gemini", "bob", undefined);
    expect(await repository.updateItem(project.id, item.id, { title: "Launched" }, "bob")).toMatchObject({
      title: "Launched",
      body: "T-minus 10",
      version: 2,
      updatedBy: "bob",
    });
    expect(await repository.updateItem(other.id, item.id, { title: "x" }, "bob")).toBeUndefined();
  });

  it("notify emails each subscriber once, skips members without email or subscription, logs start and end", async () => {
    const { repository, project, change } = await projectWithSubscribers(3);
    await repository.putMember(project.id, { userId: "quiet", email: "quiet@example.com", subscribed: false });
    await repository.putMember(project.id, { userId: "no-mail", email: null, subscribed: false });
    const mailer = new MemoryMailer();
    const logger = { info: vi.fn() };
    const report = await notify(t.db, mailer, change, logger);
    expect(report).toMatchObject({ recipients: 4, sent: 4, failed: [] });
    expect(mailer.sent.map((e) => e.to).sort()).toEqual([
      "alice@example.com",
      "user-0@example.com",
      "user-1@example.com",
      "user-2@example.com",
    ]);
    expect(mailer.sent[0]).toMatchObject({ subject: "[Apollo] Launch was created" });
    expect(mailer.sent[0]?.text).toContain("T-minus 10");
    expect(logger.info.mock.calls.map((c) => c[0])).toEqual(["Start notification", "End notification"]);
    expect(logger.info.mock.calls[1]?.[1]).toMatchObject({ durationMs: expect.any(Number), sent: 4, failed: 0 });
  });

  it("notify tries every recipient and returns the refused ones", async () => {
    const { repository, project, change } = await projectWithSubscribers(2);
    await repository.putMember(project.id, { userId: "x", email: "x@refused.invalid", subscribed: true });
    const mailer = new MemoryMailer();
    const report = await notify(t.db, refusingRecipientsAt("refused.invalid", mailer), change, silent);
    expect(report).toMatchObject({ recipients: 4, sent: 3, failed: [{ to: "x@refused.invalid" }] });
    expect(report.failed[0]?.error).toMatch(/^MessageRejected: /);
  });

  it("the switch: '' is inline, 'all' async, a list names the async projects (any case)", () => {
    const id = "0b6a5d8e-1f0c-4e3a-9a55-7a1f2b3c4d5e";
    expect(modeFor("", id)).toBe("inline");
    expect(modeFor("all", id)).toBe("async");
    expect(modeFor([id], id.toUpperCase())).toBe("async");
    expect(modeFor(["00000000-0000-4000-8000-000000000000"], id)).toBe("inline");
  });

  it("an admin's override in the database wins over the configuration until it is removed", async () => {
    expect(await asyncSetting(t.db, "")).toEqual({ configured: "", override: null, effective: "" });
    await saveAsyncOverride(t.db, "all", "carol");
    expect(await asyncSetting(t.db, "")).toEqual({ configured: "", override: "all", effective: "all" });
    await saveAsyncOverride(t.db, "", "carol");
    expect(await asyncSetting(t.db, "all")).toEqual({ configured: "all", override: "", effective: "" });
    await saveAsyncOverride(t.db, null, "carol");
    expect(await asyncSetting(t.db, "all")).toMatchObject({ override: null, effective: "all" });
  });

  describe("dispatch", () => {
    function deps(mailer: MemoryMailer, configured: DispatchDeps["configured"] = "") {
      const enqueued: ItemChange[] = [];
      const d: DispatchDeps = {
        db: t.db,
        configured,
        mailer: () => mailer,
        enqueue: async (change) => {
          enqueued.push(change);
          return { id: "task-1" };
        },
        logger: silent,
      };
      return { d, enqueued };
    }

    it("inline: every email is sent before it returns, nothing is enqueued", async () => {
      const { change } = await projectWithSubscribers(2);
      const mailer = new MemoryMailer(5);
      const { d, enqueued } = deps(mailer);
      expect(await dispatchNotification(d, change)).toEqual({ mode: "inline", recipients: 3, sent: 3, failed: 0 });
      expect(mailer.sent).toHaveLength(3);
      expect(enqueued).toEqual([]);
    });

    it("async: one task is enqueued and no email is sent in the request", async () => {
      const { project, change } = await projectWithSubscribers(2);
      const mailer = new MemoryMailer();
      const { d, enqueued } = deps(mailer, [project.id]);
      expect(await dispatchNotification(d, change)).toEqual({ mode: "async", taskId: "task-1" });
      expect(mailer.sent).toEqual([]);
      expect(enqueued).toEqual([change]);
    });

    it("reads the switch on every call: an override applies to the next change", async () => {
      const { project, change } = await projectWithSubscribers(0);
      const { d } = deps(new MemoryMailer());
      expect((await dispatchNotification(d, change)).mode).toBe("inline");
      await saveAsyncOverride(t.db, [project.id], "carol");
      expect((await dispatchNotification(d, change)).mode).toBe("async");
    });
  });
});
