import { Duration, IgnoreMode, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { AdjustmentType, MetricAggregationType } from "aws-cdk-lib/aws-applicationautoscaling";
import { MathExpression } from "aws-cdk-lib/aws-cloudwatch";
import { Platform } from "aws-cdk-lib/aws-ecr-assets";
import { SecurityGroup, SubnetType, type IVpc } from "aws-cdk-lib/aws-ec2";
import {
  AwsLogDriver,
  CpuArchitecture,
  ContainerImage,
  FargateService,
  FargateTaskDefinition,
  OperatingSystemFamily,
  type ContainerDefinition,
  type ICluster,
} from "aws-cdk-lib/aws-ecs";
import { PolicyStatement, type IGrantable } from "aws-cdk-lib/aws-iam";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import {
  configVariables,
  databaseVariables,
  runtimeVariables,
  workerVariables,
} from "../../functions/contracts/environment.js";
import { setContainerVariables } from "../container-environment.js";
import { appVersion, repoRoot } from "../paths.js";
import type { Database } from "./database.js";
import { nagEnv } from "./nag-ids.js";
import { functionDefaults } from "./function-defaults.js";
import { TaskQueue, type TaskQueueProps } from "./task-queue.js";

export interface ContainerQueueProps extends TaskQueueProps {
  readonly database: Database;
  /**
   * Where the runners run (prod): public subnets, no NAT gateway. Unset in the local stage, where
   * `local:up` starts the runner as a host process instead (there is no Docker to build its image).
   */
  readonly network?: { vpc: IVpc; cluster: ICluster };
}

/**
 * A queue whose tasks may outlive Lambda's 15 minutes (runtime "container"): the queue and its DLQ
 * as for a worker Lambda, and an ECS Fargate service (arm64) of runners (functions/runner) that
 * long-poll it. The service scales from 0 to ceil(maxConcurrency / concurrency) runners on the
 * queue's backlog (waiting plus running messages), so an idle queue costs no compute.
 *
 * No NAT gateway: runners sit in public subnets with a public IP and a security group that admits
 * nothing, and reach SQS, the Data API, ECR and CloudWatch Logs on their public endpoints. A public
 * IPv4 address costs $0.005 an hour while a runner runs (about $3.65 a month for one running all
 * month, nothing at zero); the VPC endpoints that would replace it (SQS, RDS Data, ECR api and dkr,
 * Logs, Secrets Manager, in two zones) cost about $88 a month whether anything runs or not.
 */
export class ContainerQueue extends TaskQueue {
  /** Prod only: the runners' service and their container (whose environment the bind helpers fill). */
  public readonly service?: FargateService;
  public readonly container?: ContainerDefinition;

  constructor(scope: Construct, id: string, props: ContainerQueueProps) {
    super(scope, id, props);
    const { config, name, queue } = props;
    if (!props.network) return;

    const settings = queue.container;
    const taskDefinition = new FargateTaskDefinition(this, "Task", {
      cpu: settings.cpu,
      memoryLimitMiB: settings.memoryMb,
      runtimePlatform: { cpuArchitecture: CpuArchitecture.ARM64, operatingSystemFamily: OperatingSystemFamily.LINUX },
    });
    const logGroup = new LogGroup(this, "Logs", {
      retention: functionDefaults.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Built by `cdk deploy` (cdk-assets) from the repository; synth only stages the files, so it needs no Docker.
    const image = ContainerImage.fromAsset(repoRoot, {
      file: "functions/runner/Dockerfile",
      platform: Platform.LINUX_ARM64,
      ignoreMode: IgnoreMode.DOCKER,
    });
    this.container = taskDefinition.addContainer("Runner", {
      image,
      logging: new AwsLogDriver({ logGroup, streamPrefix: "runner" }),
      // ECS's SIGKILL comes this long after SIGTERM: the runner lets tasks finish, then releases the rest.
      stopTimeout: Duration.seconds(settings.stopTimeoutSeconds),
    });
    Validations.of(taskDefinition.obtainExecutionRole()).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "ecr:GetAuthorizationToken has no resource-level permissions; the execution role's other rights name this image's repository and this log group only.",
    });
    setContainerVariables(this.container, configVariables, { GROUNDCREW_CONFIG: JSON.stringify(config) });
    setContainerVariables(this.container, runtimeVariables, {
      GROUNDCREW_STAGE: config.stage,
      GROUNDCREW_VERSION: appVersion,
      GROUNDCREW_FUNCTION: "runner",
      POWERTOOLS_SERVICE_NAME: `${config.app}-runner-${name}`,
      POWERTOOLS_LOG_LEVEL: config.logLevel,
    });
    setContainerVariables(this.container, workerVariables, { GROUNDCREW_WORKER_QUEUE: name });
    this.bindDatabase(props.database, taskDefinition.taskRole, config.database.name);
    // Scale-in protection while a runner has tasks (runner/protection.ts), for this cluster's tasks only.
    const tasksOfCluster = Stack.of(this).formatArn({
      service: "ecs",
      resource: "task",
      resourceName: `${props.network.cluster.clusterName}/*`,
    });
    taskDefinition.taskRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["ecs:GetTaskProtection", "ecs:UpdateTaskProtection"],
        resources: [tasksOfCluster],
      }),
    );
    const { partition, region, account } = nagEnv(this);
    const clusterId = Stack.of(this).getLogicalId(props.network.cluster.node.defaultChild as never);
    Validations.of(taskDefinition.taskRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${partition}:ecs:${region}:${account}:task/<${clusterId}>/*]`,
      reason:
        "A runner protects its own task from scale-in while it runs tasks; task ids are chosen by ECS at run time, so the grant names the runners' cluster and not one task.",
    });
    this.queue.grantConsumeMessages(taskDefinition.taskRole);
    this.deadLetterQueue.grantSendMessages(taskDefinition.taskRole);

    const securityGroup = new SecurityGroup(this, "Runners", {
      vpc: props.network.vpc,
      description: `Runners of the ${name} queue: no ingress, outbound HTTPS to AWS APIs`,
      allowAllOutbound: true,
    });
    const maxRunners = Math.ceil(queue.maxConcurrency / settings.concurrency);
    this.service = new FargateService(this, "Service", {
      cluster: props.network.cluster,
      taskDefinition,
      assignPublicIp: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroups: [securityGroup],
      // A deploy stops old runners before it starts new ones (they release what they cannot finish), so
      // the queue never has more than its cap of runners.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { rollback: true },
    });
    const scaling = this.service.autoScaleTaskCount({ minCapacity: 0, maxCapacity: maxRunners });
    // The backlog: messages waiting plus messages being run (invisible while their heartbeat extends them).
    const backlog = new MathExpression({
      expression: "visible + running",
      usingMetrics: {
        visible: this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
        running: this.queue.metricApproximateNumberOfMessagesNotVisible({ period: Duration.minutes(1) }),
      },
      period: Duration.minutes(1),
    });
    // Exactly enough runners for the backlog: none for an empty queue, one per `concurrency` messages up to the cap.
    scaling.scaleOnMetric("Backlog", {
      metric: backlog,
      adjustmentType: AdjustmentType.EXACT_CAPACITY,
      metricAggregationType: MetricAggregationType.MAXIMUM,
      cooldown: Duration.minutes(1),
      scalingSteps: [
        { upper: 0, change: 0 },
        ...Array.from({ length: maxRunners }, (_, i) => ({ lower: i * settings.concurrency + 1, change: i + 1 })),
      ],
    });
    Validations.of(this).acknowledge({
      id: "AwsSolutions-ECS2",
      reason:
        "The runner's environment holds names, URLs and ARNs (configuration, queue URLs, the database secret's ARN), never a secret value; it is the typed contract of functions/contracts/environment.ts.",
    });
  }

  /** Database.bind for a container: Data API access for the task role, and the variables `database()` reads. */
  private bindDatabase(database: Database, role: IGrantable, name: string): void {
    if (database.cluster) database.cluster.grantDataApiAccess(role);
    else database.secret.grantRead(role);
    setContainerVariables(this.container!, databaseVariables, {
      DB_CLUSTER_ARN: database.clusterArn,
      DB_SECRET_ARN: database.secret.secretArn,
      DB_NAME: name,
    });
  }
}
