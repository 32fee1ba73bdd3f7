import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/contracts/config/load.js";
import {
  LAMBDA_MARGIN_SECONDS,
  hardLimitSeconds,
  taskLimitProblems,
  taskLimits,
} from "../../../functions/contracts/task-limits.js";
import { taskDeclarations } from "../../../functions/tasks/registry.js";
import { BOOKKEEPING_MS, GRACE_MS } from "../../../functions/worker/run-attempt.js";

describe("task limits, checked at synth", () => {
  it("lists every declared task with its declared queue and limits (the list CDK checks without task code)", () => {
    const declared = taskDeclarations.map((d) => ({
      name: d.name,
      queue: d.queue,
      timeLimitSeconds: d.timeLimitSeconds,
      ...(d.hardTimeLimitSeconds === undefined ? {} : { hardTimeLimitSeconds: d.hardTimeLimitSeconds }),
    }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect([...taskLimits].sort(byName)).toEqual(declared.sort(byName));
  });

  it("keeps the Lambda worker's margin as the worker has it", () => {
    expect(LAMBDA_MARGIN_SECONDS * 1000).toBe(GRACE_MS + BOOKKEEPING_MS);
  });

  it("finds every task of both stages where it can run", () => {
    expect(taskLimitProblems(loadConfig("prod"))).toEqual([]);
    expect(taskLimitProblems(loadConfig("local"))).toEqual([]);
  });

  const celery = { name: "reports.export", timeLimitSeconds: 1500, hardTimeLimitSeconds: 1800 };

  it("accepts a 25/30-minute task on a container queue and refuses it on a Lambda queue", () => {
    const config = loadConfig("prod");
    expect(taskLimitProblems(config, [{ ...celery, queue: "long" }])).toEqual([]);
    const [problem] = taskLimitProblems(config, [{ ...celery, queue: "default" }]);
    expect(problem).toMatch(/reports\.export.*must end within 900 s; put it on a queue with runtime "container"/);
    // A soft limit alone over 15 minutes is refused too: the Lambda would be its hard limit.
    expect(taskLimitProblems(config, [{ name: "a.b", queue: "reports", timeLimitSeconds: 1000 }])).toHaveLength(1);
  });

  it("in prod, wants a Lambda task's soft limit plus the worker's margin inside the worker timeout", () => {
    const config = loadConfig("prod");
    // default: workerTimeoutSeconds 120
    expect(taskLimitProblems(config, [{ name: "a.b", queue: "default", timeLimitSeconds: 113 }])).toEqual([]);
    expect(taskLimitProblems(config, [{ name: "a.b", queue: "default", timeLimitSeconds: 114 }])[0]).toMatch(
      /soft limit plus 7 s must fit the queue's workerTimeoutSeconds \(120\)/,
    );
  });

  it("refuses a hard limit not above the soft one, and a queue that does not exist", () => {
    const config = loadConfig("prod");
    expect(
      taskLimitProblems(config, [{ name: "a.b", queue: "long", timeLimitSeconds: 60, hardTimeLimitSeconds: 60 }]),
    ).toHaveLength(1);
    expect(taskLimitProblems(config, [{ name: "a.b", queue: "nowhere", timeLimitSeconds: 1 }])[0]).toMatch(
      /no such queue/,
    );
  });

  it("gives a container task without a hard limit a minute after its soft limit", () => {
    expect(hardLimitSeconds({ timeLimitSeconds: 100 })).toBe(160);
    expect(hardLimitSeconds({ timeLimitSeconds: 100, hardTimeLimitSeconds: 120 })).toBe(120);
  });
});
