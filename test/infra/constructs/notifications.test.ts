import { describe, expect, it } from "vitest";
import { synthStage } from "../synth.js";

describe("Notifications", () => {
  const { template, stack } = synthStage("prod", { notifications: { fromAddress: "team@groundcrew.example" } });
  const functions = Object.entries(template.findResources("AWS::Lambda::Function")).map(([id, fn]) => ({
    id,
    variables: (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>,
  }));
  const configurationSetId = stack.getLogicalId(stack.notifications.configurationSet.node.defaultChild as never);

  it("creates the sending identity from configuration, tied to a configuration set", () => {
    template.hasResourceProperties("AWS::SES::EmailIdentity", {
      EmailIdentity: "team@groundcrew.example",
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: configurationSetId } },
    });
    template.resourceCountIs("AWS::SES::ConfigurationSet", 1);
  });

  it("binds the API and the notifications queue's worker, and no other function", () => {
    const bound = functions.filter((fn) => "NOTIFICATIONS_FROM" in fn.variables);
    expect(bound.map((fn) => fn.variables.GROUNDCREW_FUNCTION).sort()).toEqual(["api", "worker"]);
    expect(bound.find((fn) => fn.variables.GROUNDCREW_FUNCTION === "worker")?.variables.GROUNDCREW_WORKER_QUEUE).toBe(
      "notifications",
    );
    for (const fn of bound)
      expect(fn.variables).toMatchObject({
        NOTIFICATIONS_FROM: "team@groundcrew.example",
        NOTIFICATIONS_CONFIGURATION_SET: { Ref: configurationSetId },
      });
  });

  it("grants ses:SendEmail on the identity and the configuration set only, to the two bound functions", () => {
    const statements = Object.values(template.findResources("AWS::IAM::Policy"))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[])
      .filter((statement) => JSON.stringify(statement.Action).includes("ses:"));
    expect(statements).toHaveLength(2);
    for (const statement of statements) {
      expect(statement.Action).toBe("ses:SendEmail");
      const resources = JSON.stringify(statement.Resource);
      expect(resources).toContain(":identity/");
      expect(resources).toContain(":configuration-set/");
      expect(resources).not.toContain('"*"');
    }
  });

  it("pages when maintenance reports notifications stuck", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "StuckNotifications",
      Namespace: "Groundcrew",
      Dimensions: [{ Name: "service", Value: "maintenance" }],
      Threshold: 1,
    });
  });
});
