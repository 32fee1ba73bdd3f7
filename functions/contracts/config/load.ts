import { configSchema, type Config, type ConfigInput } from "./schema.js";
import { stages } from "./stages.js";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses configuration and names every offending field, so `cdk synth` says what to fix. */
export function parseConfig(input: unknown): Config {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  - ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  throw new ConfigError(`Invalid Groundcrew configuration:\n${problems.join("\n")}`);
}

/** The stage's values with optional overrides (e.g. from `-c config='{...}'`) merged over them. */
export function loadConfig(stage: string, overrides: Partial<ConfigInput> = {}): Config {
  if (stage !== "local" && stage !== "prod") {
    throw new ConfigError(`Invalid Groundcrew configuration:\n  - stage: expected "local" or "prod", got "${stage}"`);
  }
  return parseConfig(deepMerge(stages[stage], overrides));
}

export function deepMerge<T>(base: T, override: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(override)) return (override === undefined ? base : override) as T;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    // A "__proto__" key from `-c config='…'` JSON would otherwise replace the object's prototype.
    if (key === "__proto__" || key === "constructor" || key === "prototype") continue;
    merged[key] = deepMerge(Object.hasOwn(merged, key) ? merged[key] : undefined, value);
  }
  return merged as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
