import { Fn, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import type { Config } from "../../functions/contracts/config/schema.js";
import { NOTIFICATIONS_QUEUE } from "../../functions/contracts/notifications.js";
import { Alarms } from "../constructs/alarms.js";
import { Api } from "../constructs/api.js";
import { Auth } from "../constructs/auth.js";
import { Database } from "../constructs/database.js";
import { FrontDoor } from "../constructs/front-door.js";
import { GroundcrewFunction } from "../constructs/groundcrew-function.js";
import { Maintenance } from "../constructs/maintenance.js";
import { MediaStore } from "../constructs/media-store.js";
import { Notifications } from "../constructs/notifications.js";
import { Scheduler } from "../constructs/scheduler.js";
import { Setup } from "../constructs/setup.js";
import { StaticSite } from "../constructs/static-site.js";
import { WorkerQueues } from "../constructs/worker-queues.js";

export interface GroundcrewStackProps extends StackProps {
  readonly config: Config;
  /** Local stage: where functions reach the Data API stand-in. */
  readonly localDataApiUrl?: string;
  /** Local stage: the emulator's endpoint, for what it serves directly (the static site). */
  readonly localEndpoint?: string;
  /** Prod: the built console to publish at `/console/` (a folder with index.html); unset, none is published. */
  readonly consoleAssetDir?: string;
}

/** The API's stage name, which the front door's `/api/*` origin path names too. */
const API_STAGE = "api";

/** The whole process stack of the app: one construct per process type, wired together here. */
export class GroundcrewStack extends Stack {
  public readonly database: Database;
  public readonly api: Api;
  public readonly auth: Auth;
  public readonly alarms: Alarms;
  public readonly media: MediaStore;
  public readonly staticSite: StaticSite;
  /** Prod only: the one distribution; the local stage has localstack/front-door.ts instead. */
  public readonly frontDoor?: FrontDoor;
  public readonly workerQueues: WorkerQueues;
  public readonly scheduler: Scheduler;
  public readonly maintenance: Maintenance;
  public readonly notifications: Notifications;

  constructor(scope: Construct, id: string, props: GroundcrewStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.alarms = new Alarms(this, "Alarms", { config, email: config.alarmEmail });
    this.database = new Database(this, "Database", { config, localDataApiUrl: props.localDataApiUrl });

    const apiFunction = new GroundcrewFunction(this, "ApiFunction", {
      kind: "api",
      config,
      description: "HTTP API (routes in functions/api/routes)",
    });
    this.database.bind(apiFunction);
    this.workerQueues = new WorkerQueues(this, "Queues", { config, database: this.database, alarms: this.alarms });
    this.workerQueues.bindProducer(apiFunction);
    this.workerQueues.grantOperate(apiFunction);
    this.auth = new Auth(this, "Auth", { config });
    this.auth.bind(apiFunction);
    this.media = new MediaStore(this, "Media", { config, database: this.database });
    this.media.bind(apiFunction);
    this.alarms.onFunctionErrors("MediaProcessor", this.media.processor);
    this.alarms.onDeadLetters("MediaProcessorDlq", this.media.deadLetterQueue);
    this.maintenance = new Maintenance(this, "Maintenance", { config, database: this.database, alarms: this.alarms });
    this.maintenance.grantStart(apiFunction);
    this.workerQueues.grantInspect(this.maintenance.stepFunction);
    this.media.grantCleanup(this.maintenance.stepFunction);
    this.scheduler = new Scheduler(this, "Scheduler", { config, database: this.database, alarms: this.alarms });
    this.workerQueues.bindProducer(this.scheduler.dispatcher);
    this.maintenance.grantStart(this.scheduler.dispatcher);
    // Report tasks (reports.task-stats) write their CSV into media from the reports queue's worker.
    const reports = this.workerQueues.queues.find((q) => q.queueName === "reports");
    if (reports) this.media.bind(reports.worker);
    // Item changes email subscribers from the API (inline projects) or the notifications queue's worker (async ones).
    this.notifications = new Notifications(this, "Notifications", { config, alarms: this.alarms });
    this.notifications.bind(apiFunction);
    const notificationsQueue = this.workerQueues.queues.find((q) => q.queueName === NOTIFICATIONS_QUEUE);
    if (notificationsQueue) this.notifications.bind(notificationsQueue.worker);
    this.staticSite = new StaticSite(this, "StaticSite", { config, localEndpoint: props.localEndpoint });
    this.api = new Api(this, "Api", { config, handler: apiFunction, stageName: API_STAGE });
    if (config.stage !== "local") {
      this.frontDoor = new FrontDoor(this, "FrontDoor", {
        config,
        staticSite: this.staticSite,
        media: this.media,
        restApi: this.api.restApi,
        apiStageName: API_STAGE,
        consoleAssetDir: props.consoleAssetDir,
        auth: this.auth,
      });
    }
    this.alarms.onApi5xx(this.api.restApi);
    this.alarms.onFunctionErrors("ApiFunction", apiFunction);

    new Setup(this, "Setup", {
      config,
      database: this.database,
      runsBefore: [
        apiFunction,
        this.media.processor,
        ...this.workerQueues.workers,
        // Runners of container queues start only once the migrations they rely on are in.
        ...this.workerQueues.containerQueues.flatMap((q) => (q.service ? [q.service] : [])),
        this.scheduler.dispatcher,
        this.maintenance.stepFunction,
      ],
    });
  }

  /**
   * The database VPC's two availability zones, chosen by CloudFormation at deploy time
   * (`Fn::GetAZs`, the region's first two) rather than looked up at synth time. CDK's default
   * asks AWS for the list whenever the account is known, so synthesizing for an account would
   * need credentials and a `cdk.context.json` entry per account. Both normally give the region's
   * first two zones (e.g. us-east-1a and us-east-1b).
   */
  override get availabilityZones(): string[] {
    const zones = Fn.getAzs();
    return [Fn.select(0, zones), Fn.select(1, zones)];
  }
}
