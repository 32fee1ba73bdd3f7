/** Short, stable names for the local log stream's sources: api, worker-default, dispatcher, runner-long… */

export interface NamedFunction {
  FunctionName?: string;
  Environment?: { Variables?: Record<string, string> };
}

/**
 * A function's short name: its kind (GROUNDCREW_FUNCTION, set by GroundcrewFunction), with the queue
 * for a worker; for a function of CDK's own (custom resources, triggers), its construct id, shortened.
 */
export function functionLabel(fn: NamedFunction): string {
  const variables = fn.Environment?.Variables ?? {};
  const kind = variables.GROUNDCREW_FUNCTION;
  const queue = variables.GROUNDCREW_WORKER_QUEUE;
  if (kind) return queue ? `${kind}-${queue}` : kind;
  return `cdk-${constructLabel(fn.FunctionName ?? "function")}`;
}

/**
 * Gives every function its own label, the same one on every run: functions are taken in name order,
 * and a label already given gets a number (maintenance, maintenance-2).
 */
export function labelFunctions<T extends NamedFunction>(functions: readonly T[]): Map<string, string> {
  const labels = new Map<string, string>();
  const used = new Set<string>();
  const sorted = [...functions].sort((a, b) => (a.FunctionName ?? "").localeCompare(b.FunctionName ?? ""));
  for (const fn of sorted) {
    const base = functionLabel(fn);
    let label = base;
    for (let n = 2; used.has(label); n++) label = `${base}-${n}`;
    used.add(label);
    labels.set(fn.FunctionName ?? "", label);
  }
  return labels;
}

/**
 * `groundcrew-local-BucketNotificationsHandler050a0587FB6C771E3624A` → `bucket-notifications`: the stack
 * prefix, CloudFormation's random suffix and CDK's hash dropped, kebab-cased, cut to a readable length.
 */
export function constructLabel(functionName: string): string {
  const parts = functionName.split("-");
  const logical = parts.find((part) => /^[A-Z]/.test(part)) ?? parts[parts.length - 1] ?? functionName;
  const words = logical
    .replace(/[0-9a-fA-F]{8,}$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .toLowerCase()
    .split("-")
    .filter(Boolean);
  let label = "";
  for (const word of words) {
    const next = label ? `${label}-${word}` : word;
    if (next.length > 20 && label) break;
    label = next;
  }
  return label || "function";
}
