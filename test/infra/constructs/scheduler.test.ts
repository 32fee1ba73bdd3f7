import { Duration, Stack } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { CfnSchedule } from "aws-cdk-lib/aws-scheduler";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/contracts/config/load.js";
import { Alarms } from "../../../infra/constructs/alarms.js";
import { Database } from "../../../infra/constructs/database.js";
import { Scheduler, type SchedulerProps } from "../../../infra/constructs/scheduler.js";
import { synthStage, testApp } from "../synth.js";

describe("Scheduler", () => {
  for (const stage of ["prod", "local"] as const) {
    it(`is the only schedule in the ${stage} app, and it ticks the dispatcher`, () => {
      const { template } = synthStage(stage);
      const scheduled = Object.values(template.findResources("AWS::Events::Rule")).filter(
        (r) => r.Properties.ScheduleExpression,
      );
      expect(scheduled).toHaveLength(1);
      expect(scheduled[0]?.Properties.ScheduleExpression).toBe("rate(1 minute)");
      template.resourceCountIs("AWS::Scheduler::Schedule", 0);
      const targets = scheduled[0]?.Properties.Targets as { Arn: { "Fn::GetAtt": string[] } }[];
      expect(targets).toHaveLength(1);
      expect(targets[0]?.Arn["Fn::GetAtt"][0]).toMatch(/^SchedulerDispatcher/);
    });
  }

  it("lets the dispatcher send to every queue and start maintenance", () => {
    const { template } = synthStage("prod");
    template.hasResourceProperties("AWS::Lambda::Function", {
      Description: "The beat: enqueues due periodic tasks once per slot",
      Environment: {
        Variables: Match.objectLike({
          GROUNDCREW_QUEUES: Match.anyValue(),
          MAINTENANCE_STATE_MACHINE_ARN: Match.anyValue(),
        }),
      },
    });
    const policies = Object.entries(template.findResources("AWS::IAM::Policy")).filter(([id]) =>
      id.startsWith("SchedulerDispatcher"),
    );
    const actions = JSON.stringify(policies.map(([, p]) => p.Properties.PolicyDocument.Statement));
    expect(actions).toContain("states:StartExecution");
    expect(actions).toContain("sqs:SendMessage");
  });

  describe("props", () => {
    function stackWithScheduler(props: Partial<SchedulerProps> = {}) {
      const config = loadConfig("local");
      const app = testApp();
      const stack = new Stack(app, "s");
      const database = new Database(stack, "Db", { config, localDataApiUrl: "http://127.0.0.1:1" });
      const alarms = new Alarms(stack, "Alarms", { config });
      const scheduler = new Scheduler(stack, "Scheduler", { config, database, alarms, ...props });
      return { app, stack, scheduler };
    }

    it("refuses a dispatcher timeout as long as the claim lease", () => {
      expect(() => stackWithScheduler({ timeout: Duration.minutes(3) })).toThrow(
        /timeout \(180 s\) must be under the slot-claim lease/,
      );
    });

    it("refuses an impossible retry count", () => {
      expect(() => stackWithScheduler({ retryAttempts: -1 })).toThrow(/retryAttempts must be an integer from 0 to 185/);
    });

    it("fails synth when anything else in the stack brings a schedule", () => {
      const withRule = stackWithScheduler();
      new Rule(withRule.stack, "NightlyCron", { schedule: Schedule.cron({ hour: "3", minute: "0" }) });
      expect(() => withRule.app.synth()).toThrow(/s\/NightlyCron\/Resource is a second schedule/);

      const withSchedule = stackWithScheduler();
      new CfnSchedule(withSchedule.stack, "Beat2", {
        scheduleExpression: "rate(1 minute)",
        flexibleTimeWindow: { mode: "OFF" },
        target: { arn: withSchedule.scheduler.dispatcher.functionArn, roleArn: "arn:aws:iam::123456789012:role/x" },
      });
      expect(() => withSchedule.app.synth()).toThrow(/s\/Beat2 is a second schedule/);
    });

    it("accepts rules that only match events", () => {
      const { app, stack } = stackWithScheduler();
      new Rule(stack, "OnUpload", { eventPattern: { source: ["aws.s3"] } });
      expect(() => app.synth()).not.toThrow();
    });
  });
});
