import { describe, expect, it } from "vitest";
import { emitEvent, listEvents, updateEvent } from "../../../functions/events/events.js";
import { migratedDatabase } from "../../support/local-database.js";

// Through the Data API stand-in, which binds as Aurora does: the event id must go as a uuid and the payload as JSON.
describe("events", () => {
  const t = migratedDatabase(["events"]);

  it("records an event, moves it on with its payload merged, and lists by topic", async () => {
    const event = await emitEvent(
      { db: t.db },
      { topic: "server.maintenance", status: "in_progress", payload: { runId: "r1" } },
    );
    await emitEvent({ db: t.db }, { topic: "other", status: "pending" });

    const moved = await updateEvent({ db: t.db }, event.id, { status: "finished", payload: { durationMs: 12 } });
    expect(moved).toMatchObject({
      id: event.id,
      status: "finished",
      description: "",
      payload: { runId: "r1", durationMs: 12 },
    });
    expect(Date.parse(moved.updatedAt)).toBeGreaterThanOrEqual(Date.parse(event.updatedAt));

    expect((await listEvents(t.db, { topic: "server.maintenance", limit: 10 })).map((e) => e.id)).toEqual([event.id]);
    expect(await listEvents(t.db, { limit: 10 })).toHaveLength(2);
    await expect(
      updateEvent({ db: t.db }, "00000000-0000-4000-8000-000000000000", { status: "failed" }),
    ).rejects.toThrow("No event");
  });
});
