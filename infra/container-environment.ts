import type { ContainerDefinition } from "aws-cdk-lib/aws-ecs";
import type { Binding, VariablesOf } from "../functions/contracts/environment.js";

/**
 * Writes one binding of the environment contract into an ECS container's `environment`, as
 * setVariables (environment.ts) does for a Lambda: the values are typed by the binding's schema,
 * the same one the runner reads with `readVariables`.
 */
export function setContainerVariables<B extends Binding>(
  container: ContainerDefinition,
  binding: B,
  values: VariablesOf<B>,
): void {
  for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (typeof value !== "string") throw new Error(`${name}: environment values are strings`);
    container.addEnvironment(name, value);
  }
}
