import { describe, expect, it } from "vitest";
import { maintenanceStepNames } from "../../../functions/contracts/maintenance.js";
import { stepNames } from "../../../functions/maintenance/steps/index.js";

describe("the maintenance contract", () => {
  it("names the steps the code has, in the order the code runs them", () => {
    // CDK builds the state machine from the contract; the Lambda runs the steps by these names.
    expect(stepNames).toEqual([...maintenanceStepNames]);
  });
});
