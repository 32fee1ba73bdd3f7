import type { Config } from "../contracts/config/schema.js";
import type { Database } from "../core/db/database.js";
import { NotFoundError } from "../core/errors.js";
import { maintenanceSteps, stepNames } from "./steps/index.js";

export interface StepSwitch {
  name: string;
  description: string;
  order: number;
  enabled: boolean;
  /** Where `enabled` comes from: the deployed configuration, or a runtime override. */
  source: "config" | "override";
}

/** Each step is on unless configuration switches it off; a runtime override wins over both. */
export async function stepSwitches(db: Database, config: Config): Promise<StepSwitch[]> {
  const overrides = await db.rows<{ name: string; enabled: boolean }>(
    "SELECT name, enabled FROM maintenance_step_overrides",
  );
  const byName = new Map(overrides.map((o) => [o.name, o.enabled]));
  return maintenanceSteps.map((step, index) => {
    const override = byName.get(step.name);
    return {
      name: step.name,
      description: step.description,
      order: index + 1,
      enabled: override ?? config.maintenance.steps[step.name]?.enabled ?? true,
      source: override === undefined ? "config" : "override",
    };
  });
}

/** Switches a step on or off at runtime; a name that is no step ("__proto__" included) is a 404. */
export async function setStepEnabled(
  db: Database,
  name: string,
  enabled: boolean,
  by: string | undefined,
): Promise<void> {
  if (!stepNames.includes(name))
    throw new NotFoundError(`No maintenance step named "${name}" (known: ${stepNames.join(", ")})`);
  await db.query(
    `INSERT INTO maintenance_step_overrides (name, enabled, updated_by) VALUES (:name, :enabled, :by)
     ON CONFLICT (name) DO UPDATE SET enabled = EXCLUDED.enabled, updated_by = EXCLUDED.updated_by, updated_at = now()`,
    { name, enabled, by },
  );
}
