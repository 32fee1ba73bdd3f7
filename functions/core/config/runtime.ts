import type { Config } from "../../contracts/config/schema.js";
import { configVariables, readVariables } from "../../contracts/environment.js";

let runtimeConfig: Config | undefined;

/**
 * The configuration a Lambda was deployed with. CDK writes the validated object into
 * GROUNDCREW_CONFIG; parsing it again here means a handler never runs on a shape it does not expect.
 */
export function runtimeConfiguration(env: NodeJS.ProcessEnv = process.env): Config {
  runtimeConfig ??= readVariables(configVariables, env).GROUNDCREW_CONFIG;
  return runtimeConfig;
}
