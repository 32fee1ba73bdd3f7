import { describe, expect, it } from "vitest";
import { synthStage } from "../synth.js";

describe("Scheduler", () => {
  for (const stage of ["prod", "local"] as const) {
    it(`is the only schedule in the ${stage} app`, () => {
      const { template } = synthStage(stage);
      const scheduled = Object.values(template.findResources("AWS::Events::Rule")).filter((r) => r.Properties.ScheduleExpression);
      expect(scheduled).toHaveLength(1);
      expect(scheduled[0]?.Properties.ScheduleExpression).toBe("rate(1 minute)");
      template.resourceCountIs("AWS::Scheduler::Schedule", 0);
      const targets = scheduled[0]?.Properties.Targets as { Arn: { "Fn::GetAtt": string[] } }[];
      expect(targets).toHaveLength(1);
      expect(targets[0]?.Arn["Fn::GetAtt"][0]).toMatch(/^SchedulerDispatcher/);
    });
  }
});
