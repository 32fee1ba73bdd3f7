import { configSchema, type Config, type ConfigInput, type Stage } from "./schema.js";
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
  return parseConfig(deepMerge(stages[stage as Stage], overrides));
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

let runtimeConfig: Config | undefined;

/**
 * The configuration a Lambda was deployed with. CDK writes the validated object into
 * GROUNDCREW_CONFIG; parsing it again here means a handler never runs on a shape it does not expect.
 */
export function runtimeConfiguration(env: NodeJS.ProcessEnv = process.env): Config {
  if (runtimeConfig) return runtimeConfig;
  const raw = env.GROUNDCREW_CONFIG;
  if (!raw) throw new ConfigError("GROUNDCREW_CONFIG is not set: this function was not deployed by the Groundcrew CDK app");
  runtimeConfig = parseConfig(JSON.parse(raw));
  return runtimeConfig;
}
