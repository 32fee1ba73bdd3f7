import { checkFunctionEnvironment, type FunctionKind } from "../contracts/environment.js";

let checked = false;

/**
 * Checks once per cold start that every variable this kind of function reads is set and well
 * formed, so a deploy that forgot a binding fails on its first call, naming the variables, rather
 * than on the first request that happens to need one.
 */
export function ensureEnvironment(kind: FunctionKind, env: NodeJS.ProcessEnv = process.env): void {
  if (checked) return;
  checkFunctionEnvironment(kind, env);
  checked = true;
}
