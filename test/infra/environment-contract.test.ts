import * as z from "zod";
import { describe, expect, it } from "vitest";
import { functionEnvironments, type Binding, type FunctionKind } from "../../functions/contracts/environment.js";
import { synthStage } from "./synth.js";

/** Set on every function for the runtime itself, outside the contract. */
const runtimeOptions = new Set(["NODE_OPTIONS"]);

interface SynthesizedFunction {
  id: string;
  variables: Record<string, unknown>;
}

function ourFunctions(stage: "local" | "prod"): SynthesizedFunction[] {
  const { template } = synthStage(stage);
  return Object.entries(template.findResources("AWS::Lambda::Function"))
    .map(([id, resource]) => ({
      id,
      variables:
        (resource.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables ?? {},
    }))
    .filter((fn) => "GROUNDCREW_FUNCTION" in fn.variables);
}

/** A binding's variables a function cannot do without (the schema's non-optional keys). */
function requiredNames(binding: Binding): string[] {
  return Object.entries(binding.schema.shape)
    .filter(([, schema]) => !z.safeParse(schema, undefined).success)
    .map(([name]) => name);
}

const allNames = (binding: Binding) => Object.keys(binding.schema.shape);

describe.each(["local", "prod"] as const)("the %s stack keeps the environment contract", (stage) => {
  const functions = ourFunctions(stage);

  it("builds every kind of function the contract knows, each named by its kind", () => {
    const kinds = new Set(functions.map((fn) => fn.variables.GROUNDCREW_FUNCTION));
    const expected: FunctionKind[] = ["api", "worker", "dispatcher", "maintenance", "setup", "media-processor"];
    for (const kind of expected) expect(kinds, kind).toContain(kind);
    for (const kind of kinds) expect(Object.keys(functionEnvironments)).toContain(kind);
  });

  it("gives each function every variable its kind reads, and none it does not", () => {
    for (const fn of functions) {
      const kind = fn.variables.GROUNDCREW_FUNCTION as FunctionKind;
      const { required, optional } = functionEnvironments[kind];
      const present = Object.keys(fn.variables);
      const missing = required.flatMap(requiredNames).filter((name) => !present.includes(name));
      expect(missing, `${fn.id} (${kind}) lacks`).toEqual([]);
      // An optional binding is all or nothing: CloudFront signing with a domain but no key is a broken deploy.
      for (const binding of optional) {
        const set = requiredNames(binding).filter((name) => present.includes(name));
        expect([0, requiredNames(binding).length], `${fn.id} (${kind}) half-bound ${binding.boundBy}`).toContain(
          set.length,
        );
      }
      const known = new Set([...required, ...optional].flatMap(allNames));
      const stray = present.filter((name) => !known.has(name) && !runtimeOptions.has(name));
      expect(stray, `${fn.id} (${kind}) has variables no code of it reads`).toEqual([]);
    }
  });
});
