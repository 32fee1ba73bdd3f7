import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { dataApiUrl } from "../../localstack/env.js";
import { api } from "./outputs.js";
import { defaultQueuePeak } from "./queue-concurrency.js";
import { asUser, eventually } from "./session.js";

type Task = { id: string; status: string; attempts: number };

async function setDatabaseAvailable(available: boolean): Promise<void> {
  await fetch(`${dataApiUrl}/_admin/availability`, { method: "POST", body: JSON.stringify({ available }) });
}

/** Each fault ends with a count: what was asked, what came out, what was lost or done twice. */
describe("faults on the local stack", () => {
  let alice: Awaited<ReturnType<typeof asUser>>;
  beforeAll(async () => {
    // diagnostics.echo (with its crash switch) is admin-only: the drills run as an admin.
    alice = await asUser("fault-drills", { admin: true });
  });
  afterEach(() => setDatabaseAvailable(true));

  const enqueue = async (payload: Record<string, unknown>) => {
    const response = await alice.post("/tasks", { name: "diagnostics.echo", payload });
    expect(response.status).toBe(202);
    return (response.body as { id: string }).id;
  };
  /** Polls until every task has ended; a task seen ended is not asked again. */
  const finished = (ids: string[], timeoutMs: number) => {
    const ended = new Map<string, Task>();
    return eventually(
      `${ids.length} tasks to finish`,
      async () => {
        for (const id of ids) {
          if (ended.has(id)) continue;
          const task = (await alice.get(`/tasks/${id}`)).body as Task;
          if (task.status === "succeeded" || task.status === "failed") ended.set(id, task);
        }
        return ended.size === ids.length ? ids.map((id) => ended.get(id) as Task) : undefined;
      },
      timeoutMs,
      2_000,
    );
  };

  it("a worker killed mid-task: the task is retried and finishes, 0 lost", async () => {
    const id = await enqueue({ message: "crash", crashOnAttempt: 1 });
    const [task] = await finished([id], 150_000);
    console.log(
      `[fault: worker killed] 1 task, succeeded ${task?.status === "succeeded" ? 1 : 0}, attempts ${task?.attempts}, lost 0`,
    );
    expect(task).toMatchObject({ status: "succeeded", attempts: 2 });
    // The crashed invoke ended at once, as on AWS (Runtime.ExitError), and gave its concurrency back:
    // the queue still runs two tasks at once. (An emulator waiting on the dead process kept one of
    // the two slots for 15 minutes.)
    const { peak, timeline } = await defaultQueuePeak(alice, { count: 4, sleepMs: 1500, label: "after-crash" });
    expect(peak, timeline).toBe(2);
  });

  it("the database away for a while: requests answer 503, queued work finishes after it returns, 0 lost", async () => {
    const ids = await Promise.all(
      Array.from({ length: 10 }, (_, i) => enqueue({ message: `outage-${i}`, sleepMs: 1_000 })),
    );
    await setDatabaseAvailable(false);
    const during = await Promise.all([
      api("/health"),
      alice.post("/tasks", { name: "diagnostics.echo", payload: { message: "x" } }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    await setDatabaseAvailable(true);
    expect(during.map((r) => r.status)).toEqual([503, 503]);
    const tasks = await finished(ids, 150_000);
    const succeeded = tasks.filter((t) => t.status === "succeeded").length;
    console.log(
      `[fault: database down 8 s] ${ids.length} tasks, succeeded ${succeeded}, lost ${ids.length - succeeded}`,
    );
    expect(succeeded).toBe(ids.length);
  });

  it("1,000 tasks through the API: 0 lost, 0 run twice", async () => {
    const total = 1_000;
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < total) {
          next += 1;
          ids.push(await enqueue({ message: "bulk" }));
        }
      }),
    );
    const tasks = await finished(ids, 600_000);
    const succeeded = tasks.filter((t) => t.status === "succeeded").length;
    const ranTwice = tasks.filter((t) => t.attempts > 1).length;
    console.log(
      `[fault: 1,000 tasks] enqueued ${ids.length}, succeeded ${succeeded}, lost ${total - succeeded}, ran twice ${ranTwice}`,
    );
    expect(new Set(ids).size).toBe(total);
    expect(succeeded).toBe(total);
    expect(ranTwice).toBe(0);
    // The wait above is the deadline: on the real LocalStack every invoke crosses its Python gateway
    // several times, and 1,000 tasks took about 160 s alone, too close to the tier's 180 s default.
  }, 600_000);
});
