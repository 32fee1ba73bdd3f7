import { describe, expect, it } from "vitest";
import { synthStage } from "../synth.js";

describe("alarms", () => {
  it("sends API 5xx and API function errors to one SNS topic", () => {
    const { template } = synthStage("prod");
    template.resourceCountIs("AWS::SNS::Topic", 1);
    const alarms = Object.values(template.findResources("AWS::CloudWatch::Alarm"));
    const metrics = alarms.map((a) => a.Properties.MetricName);
    expect(metrics).toEqual(expect.arrayContaining(["5XXError", "Errors"]));
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });
});
