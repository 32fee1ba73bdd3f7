import { Duration } from "aws-cdk-lib";
import { Trigger as CdkTrigger } from "aws-cdk-lib/triggers";
import { Construct, type IConstruct } from "constructs";
import type { Config } from "../../functions/contracts/config/schema.js";
import type { Database } from "./database.js";
import { GroundcrewFunction } from "./groundcrew-function.js";

export interface SetupProps {
  readonly config: Config;
  readonly database: Database;
  /** Everything that must not serve before the schema is current (API, workers, scheduler…). */
  readonly runsBefore: IConstruct[];
}

/**
 * The setup process (`manage.py migrate` in a Django deploy): a Trigger invokes the migration function during
 * the deploy, after the database exists and before the new application code is updated.
 * The Trigger runs whenever the function changes, and the migrations are bundled into it,
 * so every deploy that brings a migration applies it; a thrown error fails the deploy.
 */
export class Setup extends Construct {
  public readonly migrateFunction: GroundcrewFunction;

  constructor(scope: Construct, id: string, props: SetupProps) {
    super(scope, id);
    this.migrateFunction = new GroundcrewFunction(this, "Migrate", {
      kind: "setup",
      config: props.config,
      description: "Applies database migrations (setup step)",
      timeout: Duration.minutes(5),
    });
    props.database.bind(this.migrateFunction);
    new CdkTrigger(this, "RunMigrations", {
      handler: this.migrateFunction,
      timeout: Duration.minutes(5),
      executeAfter: [props.database],
      executeBefore: props.runsBefore,
    });
  }
}
