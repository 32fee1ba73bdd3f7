import { expect } from "vitest";
import type { asUser } from "./session.js";
import { eventually } from "./session.js";

type Session = Awaited<ReturnType<typeof asUser>>;

interface TaskTimes {
  id: string;
  queue: string;
  status: string;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** The most spans that overlap at any instant; one that ends as another starts does not overlap it. */
export function peakOverlap(spans: { from: number; to: number }[]): number {
  const edges = spans.flatMap((s) => [
    { at: s.from, delta: 1 },
    { at: s.to, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let peak = 0;
  for (const edge of edges) {
    running += edge.delta;
    peak = Math.max(peak, running);
  }
  return peak;
}

/**
 * Tasks of a queue that ran in [from, to], read through the admin list (newest first). A task that ran
 * more than once keeps its first start, so its span would include the wait between attempts: only
 * single runs count.
 */
async function queueTasksRunningBetween(admin: Session, queue: string, from: number, to: number) {
  const found: TaskTimes[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10; page++) {
    const path: string = `/tasks?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const body = (await admin.get(path)).body as { items: TaskTimes[]; nextCursor: string | null };
    found.push(...body.items);
    cursor = body.nextCursor;
    const oldest = body.items.at(-1);
    // A queue's visibility timeout bounds how long before its start a task can have been created.
    if (!cursor || (oldest && Date.parse(oldest.createdAt) < from - 10 * 60_000)) break;
  }
  return found.filter(
    (t) =>
      t.queue === queue &&
      t.attempts === 1 &&
      t.startedAt !== null &&
      Date.parse(t.startedAt) <= to &&
      (t.finishedAt === null || Date.parse(t.finishedAt) >= from),
  );
}

/**
 * Runs `count` echo tasks of `sleepMs` each on the default queue (as `admin`, who may run
 * diagnostics.echo) and answers how many tasks of that queue ran at once at most while they ran,
 * with a readable timeline for a failing assertion. Every task of the queue counts, not only these:
 * a task left over from an earlier file holds a slot as much as these do, and the cap is the queue's.
 */
export async function defaultQueuePeak(
  admin: Session,
  options: { count: number; sleepMs: number; label: string },
): Promise<{ peak: number; timeline: string }> {
  const ids = await Promise.all(
    Array.from({ length: options.count }, async (_, i) => {
      const response = await admin.post("/tasks", {
        name: "diagnostics.echo",
        payload: { message: `${options.label}-${i}`, sleepMs: options.sleepMs },
      });
      expect(response.status).toBe(202);
      return (response.body as { id: string }).id;
    }),
  );
  const done = await Promise.all(
    ids.map((id) =>
      eventually(
        `task ${id} succeeded`,
        async () => {
          const task = (await admin.get(`/tasks/${id}`)).body as TaskTimes;
          return task.status === "succeeded" ? task : undefined;
        },
        90_000,
      ),
    ),
  );
  const from = Math.min(...done.map((t) => Date.parse(t.startedAt ?? "")));
  const to = Math.max(...done.map((t) => Date.parse(t.finishedAt ?? "")));
  const ran = (await queueTasksRunningBetween(admin, "default", from, to)).map((t) => ({
    id: t.id,
    from: Date.parse(t.startedAt ?? ""),
    to: t.finishedAt ? Date.parse(t.finishedAt) : Date.now(),
  }));
  expect(ran.filter((t) => ids.includes(t.id))).toHaveLength(ids.length);
  const timeline = ran
    .map((t) => `${ids.includes(t.id) ? options.label : t.id} ${t.from - from}..${t.to - from} ms`)
    .join("; ");
  return { peak: peakOverlap(ran), timeline };
}
