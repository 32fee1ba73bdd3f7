import { Stack } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/core/config/load.js";
import { WorkerQueue } from "../../../infra/constructs/worker-queue.js";
import { synthStage, testApp } from "../synth.js";

describe("WorkerQueue", () => {
  const { template } = synthStage("prod");

  it("gives each configured queue a DLQ, a worker and a capped event source mapping", () => {
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      BatchSize: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    template.hasResourceProperties("AWS::SQS::Queue", {
      VisibilityTimeout: 720,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }),
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Timeout: 120,
      Environment: { Variables: Match.objectLike({ GROUNDCREW_WORKER_QUEUE: "default" }) },
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Timeout: 300,
      MemorySize: 1024,
      Environment: { Variables: Match.objectLike({ GROUNDCREW_WORKER_QUEUE: "reports" }) },
    });
  });

  it("uses reserved concurrency for a cap of 1, which the mapping cannot express", () => {
    const config = loadConfig("prod", { queues: { solo: { maxConcurrency: 1 } } });
    const stack = new Stack(testApp(), "solo");
    const solo = new WorkerQueue(stack, "Solo", { config, name: "solo", queue: config.queues.solo! });
    const fn = solo.worker.node.defaultChild as { reservedConcurrentExecutions?: number };
    expect(fn.reservedConcurrentExecutions).toBe(1);
  });

  it("refuses a visibility timeout under 6x the worker timeout at synth", () => {
    const config = loadConfig("prod");
    const stack = new Stack(testApp(), "bad");
    const queue = { ...config.queues.default!, workerTimeoutSeconds: 100, visibilityTimeoutSeconds: 300 };
    expect(() => new WorkerQueue(stack, "Bad", { config, name: "bad", queue })).toThrow(/must be at least 6 x workerTimeoutSeconds/);
  });
});
