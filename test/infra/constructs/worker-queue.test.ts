import { Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/contracts/config/load.js";
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

  it("keeps a cap of 1 in the database: the mapping's minimum of 2, no reserved concurrency (AWS's throttling anti-pattern)", () => {
    const config = loadConfig("prod", { queues: { solo: { maxConcurrency: 1 } } });
    const stack = new Stack(testApp(), "solo");
    new WorkerQueue(stack, "Solo", { config, name: "solo", queue: config.queues.solo! });
    const solo = Template.fromStack(stack);
    solo.hasResourceProperties("AWS::Lambda::EventSourceMapping", { ScalingConfig: { MaximumConcurrency: 2 } });
    solo.hasResourceProperties("AWS::Lambda::Function", {
      ReservedConcurrentExecutions: Match.absent(),
      Environment: {
        Variables: Match.objectLike({ GROUNDCREW_WORKER_QUEUE: "solo", GROUNDCREW_WORKER_ONE_AT_A_TIME: "true" }),
      },
    });
    expect(JSON.stringify(solo.toJSON())).not.toContain("ReservedConcurrentExecutions");
  });

  it("leaves queues with a cap of 2 or more to the mapping alone", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          GROUNDCREW_WORKER_QUEUE: "reports",
          GROUNDCREW_WORKER_ONE_AT_A_TIME: Match.absent(),
        }),
      },
    });
  });

  it("refuses a visibility timeout under 6x the worker timeout at synth", () => {
    const config = loadConfig("prod");
    const stack = new Stack(testApp(), "bad");
    const queue = { ...config.queues.default!, workerTimeoutSeconds: 100, visibilityTimeoutSeconds: 300 };
    expect(() => new WorkerQueue(stack, "Bad", { config, name: "bad", queue })).toThrow(
      /must be at least 6 x workerTimeoutSeconds/,
    );
  });
});
