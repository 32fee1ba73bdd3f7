import { Stack } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/contracts/config/load.js";
import { maintenanceStepNames } from "../../../functions/contracts/maintenance.js";
import { Alarms } from "../../../infra/constructs/alarms.js";
import { Database } from "../../../infra/constructs/database.js";
import { Maintenance } from "../../../infra/constructs/maintenance.js";
import { synthStage, testApp } from "../synth.js";

describe("Maintenance", () => {
  const { template } = synthStage("prod");
  const [machine] = Object.values(template.findResources("AWS::StepFunctions::StateMachine"));
  const definition = JSON.parse(
    (machine as { Properties: { DefinitionString: { "Fn::Join": [string, unknown[]] } } }).Properties.DefinitionString[
      "Fn::Join"
    ][1]
      .map((part) => (typeof part === "string" ? part : "REF"))
      .join(""),
  ) as {
    StartAt: string;
    States: Record<
      string,
      { Type: string; Next?: string; Retry?: unknown[]; Catch?: unknown[]; Parameters?: { step?: string } }
    >;
  };

  it("is a Standard state machine with no Parallel or Map state", () => {
    expect(machine?.Properties.StateMachineType).toBe("STANDARD");
    expect(Object.values(definition.States).map((s) => s.Type)).not.toEqual(expect.arrayContaining(["Parallel"]));
    expect(Object.values(definition.States).map((s) => s.Type)).not.toEqual(expect.arrayContaining(["Map"]));
  });

  it("runs the steps one after another, VACUUM last, each retried and caught", () => {
    const order: string[] = [];
    let state: string | undefined = definition.StartAt;
    while (state) {
      const current: (typeof definition.States)[string] | undefined = definition.States[state];
      const step = current?.Parameters?.step;
      if (step) {
        order.push(step);
        expect(current?.Retry).toHaveLength(1);
        expect(current?.Catch).toHaveLength(1);
      }
      state = current?.Next;
    }
    expect(order).toEqual([...maintenanceStepNames]);
  });

  it("refuses at synth a step list that does not end with vacuum", () => {
    const config = loadConfig("local");
    const stack = new Stack(testApp(), "m");
    const database = new Database(stack, "Db", { config, localDataApiUrl: "http://127.0.0.1:1" });
    const alarms = new Alarms(stack, "Alarms", { config });
    expect(
      () => new Maintenance(stack, "M", { config, database, alarms, steps: ["vacuum", "purge-old-events"] }),
    ).toThrow(/vacuum step must come last/);
  });
});
