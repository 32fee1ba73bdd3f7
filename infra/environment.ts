import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import type { Binding, VariablesOf } from "../functions/contracts/environment.js";

/**
 * Writes one binding of the environment contract onto a function. The values are typed by the
 * binding's schema (functions/contracts/environment.ts), the same one the function reads with,
 * so infra cannot set a name the function does not read, or forget one it does.
 */
export function setVariables<B extends Binding>(fn: LambdaFunction, binding: B, values: VariablesOf<B>): void {
  for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (typeof value !== "string") throw new Error(`${name}: environment values are strings`);
    fn.addEnvironment(name, value);
  }
}
