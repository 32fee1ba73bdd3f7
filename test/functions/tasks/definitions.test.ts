import { Logger } from "@aws-lambda-powertools/logger";
import { describe, expect, it } from "vitest";
import type { TaskContext } from "../../../functions/tasks/definition.js";
import { implementedTaskNames, runnableTask } from "../../../functions/tasks/implementations.js";
import { noTaskServices } from "../../../functions/tasks/deps.js";
import { getTask, taskNames } from "../../../functions/tasks/registry.js";
import { MediaRepository } from "../../../functions/media/repository.js";
import { MediaService } from "../../../functions/media/service.js";
import { migratedDatabase } from "../../support/local-database.js";
import { FakeSigner, FakeStorage } from "../media/fakes.js";

describe("declarations and implementations", () => {
  it("gives every declared task its code, and no code without a declaration", () => {
    expect(implementedTaskNames()).toEqual(taskNames());
  });

  it("runs each task under exactly its declaration (queue, limits, access), never a copy of it", () => {
    for (const name of taskNames()) {
      const { run, ...declared } = runnableTask(name) ?? { run: undefined };
      expect(run).toBeTypeOf("function");
      expect(declared).toEqual(getTask(name));
    }
  });
});

describe("the task context gives a task what it needs", () => {
  const t = migratedDatabase(["tasks", "media_objects"]);
  const context = (services: TaskContext["services"]): TaskContext => ({
    taskId: "00000000-0000-4000-8000-000000000001",
    attempt: 1,
    signal: new AbortController().signal,
    progress: async () => undefined,
    logger: new Logger({ logLevel: "ERROR" }),
    db: t.db,
    services,
  });

  it("writes the task-stats report through the media service the context hands it", async () => {
    const storage = new FakeStorage();
    const media = new MediaService({
      repository: new MediaRepository(t.db),
      storage,
      signer: new FakeSigner(),
      limits: { maxUploadBytes: 1024, allowedContentTypes: ["text/csv"], urlTtlSeconds: 60 },
    });
    const task = runnableTask("reports.task-stats");
    const result = await task?.run(
      { hours: 1, owner: "alice", everyone: false },
      context({ ...noTaskServices, media: () => media }),
    );
    expect(result).toMatchObject({ rows: 0, mediaId: expect.any(String) });
    expect([...storage.objects.keys()]).toEqual([expect.stringMatching(/^media\/[0-9a-f-]+\/task-stats-.*\.csv$/)]);
  });

  it("reads the database it is given, not one found in the environment", async () => {
    const task = runnableTask("housekeeping.expire-idempotency-keys");
    await expect(task?.run({ olderThanHours: 1 }, context(noTaskServices))).resolves.toEqual({ keysFreed: 0 });
  });

  it("fails plainly when a function that runs no tasks is asked for a service", () => {
    expect(() => noTaskServices.media()).toThrow(/runs no tasks/);
  });
});
