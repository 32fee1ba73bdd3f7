import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/contracts/config/load.js";
import { synthStage } from "../synth.js";

interface AlarmProps {
  MetricName: string;
  Namespace?: string;
  Threshold: number;
  Dimensions?: { Name: string; Value: unknown }[];
  AlarmActions: unknown[];
}

describe("alarms", () => {
  const { template } = synthStage("prod");
  // A container queue's backlog alarms act on its scaling policy; every other alarm pages.
  const scalingPolicies = Object.keys(template.findResources("AWS::ApplicationAutoScaling::ScalingPolicy"));
  const alarms = Object.values(template.findResources("AWS::CloudWatch::Alarm"))
    .map((a) => a.Properties as AlarmProps)
    .filter((a) => !a.AlarmActions.some((action) => scalingPolicies.includes((action as { Ref?: string }).Ref ?? "")));
  const [topicId] = Object.keys(template.findResources("AWS::SNS::Topic"));
  const ourFunctions = Object.entries(template.findResources("AWS::Lambda::Function"))
    .filter(([, fn]) => "GROUNDCREW_FUNCTION" in (fn.Properties.Environment?.Variables ?? {}))
    .map(([id, fn]) => ({ id, kind: fn.Properties.Environment.Variables.GROUNDCREW_FUNCTION as string }));
  const watching = (metric: string, dimension: unknown) =>
    alarms.filter(
      (a) => a.MetricName === metric && JSON.stringify(a.Dimensions?.[0]?.Value) === JSON.stringify(dimension),
    );

  it("pages one SNS topic from every alarm", () => {
    template.resourceCountIs("AWS::SNS::Topic", 1);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it("watches the errors of every function that serves traffic or runs work", () => {
    const served = ourFunctions.filter((fn) => ["api", "worker", "dispatcher", "media-processor"].includes(fn.kind));
    expect(served.length).toBeGreaterThanOrEqual(5);
    for (const fn of served) expect(watching("Errors", { Ref: fn.id }), `${fn.id} (${fn.kind})`).toHaveLength(1);
  });

  it("pages at the first dead letter of every dead-letter queue", () => {
    const queues = template.findResources("AWS::SQS::Queue");
    const deadLetterIds = Object.values(queues).flatMap((q) => {
      const target = q.Properties.RedrivePolicy?.deadLetterTargetArn?.["Fn::GetAtt"]?.[0] as string | undefined;
      return target ? [target] : [];
    });
    expect(deadLetterIds.length).toBeGreaterThanOrEqual(3);
    for (const id of deadLetterIds) {
      const [alarm] = watching("ApproximateNumberOfMessagesVisible", { "Fn::GetAtt": [id, "QueueName"] });
      expect(alarm?.Threshold, id).toBe(1);
    }
  });

  it("pages when a worker queue's oldest message has waited 15 minutes", () => {
    const workerQueues = Object.entries(template.findResources("AWS::SQS::Queue")).filter(
      ([id, q]) => /^Queues\w+Queue/.test(id) && q.Properties.RedrivePolicy,
    );
    expect(workerQueues.length).toBe(Object.keys(loadConfig("prod").queues).length);
    // The container queue `long` runs 30-minute tasks, whose messages stay in the queue while they run.
    for (const [id] of workerQueues)
      expect(watching("ApproximateAgeOfOldestMessage", { "Fn::GetAtt": [id, "QueueName"] })[0]?.Threshold, id).toBe(
        id.startsWith("Queueslong") ? 900 + 1800 : 900,
      );
  });

  it("pages on API 5xx, failed maintenance runs and stuck work", () => {
    expect(alarms.find((a) => a.MetricName === "5XXError")?.Dimensions).toEqual([
      { Name: "ApiName", Value: "groundcrew-prod" },
    ]);
    const [machineId] = Object.keys(template.findResources("AWS::StepFunctions::StateMachine"));
    expect(watching("ExecutionsFailed", { Ref: machineId })).toHaveLength(1);
    expect(alarms.find((a) => a.MetricName === "StuckWork")).toMatchObject({ Namespace: "Groundcrew", Threshold: 1 });
  });
});
