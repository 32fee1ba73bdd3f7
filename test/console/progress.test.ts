import { describe, expect, it } from "vitest";
import { runProgress } from "../../console/src/progress.js";

const steps = ["purge-finished-tasks", "purge-old-events", "stuck-work-check", "clean-incomplete-uploads", "vacuum"];

describe("a maintenance run's progress, from its event", () => {
  it("names the running step and how many are behind it", () => {
    expect(runProgress({ status: "in_progress", description: "starting", payload: {} }, steps)).toEqual({
      done: 0,
      total: 5,
      label: "Starting (5 steps)",
      finished: false,
    });
    expect(runProgress({ status: "in_progress", description: "stuck-work-check", payload: {} }, steps)).toEqual({
      done: 2,
      total: 5,
      label: "Running stuck-work-check (step 3 of 5)",
      finished: false,
    });
  });

  it("ends finished with every step done, or failed naming the step and the error", () => {
    expect(runProgress({ status: "finished", description: "finished", payload: {} }, steps)).toMatchObject({
      done: 5,
      label: "Finished: all 5 steps done",
      finished: true,
    });
    expect(
      runProgress(
        { status: "failed", description: "failed at vacuum", payload: { failedStep: "vacuum", error: "boom" } },
        steps,
      ),
    ).toEqual({ done: 4, total: 5, label: "Failed at vacuum: boom", finished: true });
  });
});
