import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { FlowLogDestination, SubnetType, Vpc } from "aws-cdk-lib/aws-ec2";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import {
  AuroraPostgresEngineVersion,
  ClusterInstance,
  Credentials,
  DatabaseCluster,
  DatabaseClusterEngine,
} from "aws-cdk-lib/aws-rds";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import type { Config } from "../../functions/contracts/config/schema.js";
import { databaseVariables } from "../../functions/contracts/environment.js";
import { setVariables } from "../environment.js";

export interface DatabaseProps {
  readonly config: Config;
  /**
   * Local stage only: the Data API stand-in the functions call instead of RDS
   * (localstack/data-api). Required when config.stage is "local".
   */
  readonly localDataApiUrl?: string;
}

/**
 * Aurora Serverless v2 PostgreSQL reached only through the RDS Data API, so no function
 * needs a VPC, a connection pool or a driver. The local stage keeps the same contract
 * (cluster ARN, secret ARN, database name) and points the Data API client elsewhere.
 */
export class Database extends Construct {
  public readonly clusterArn: string;
  public readonly secret: ISecret;
  public readonly cluster?: DatabaseCluster;
  private readonly localDataApiUrl?: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: DatabaseProps,
  ) {
    super(scope, id);
    const { config } = props;
    if (config.stage === "local") {
      if (!props.localDataApiUrl) throw new Error("Database: localDataApiUrl is required for the local stage");
      this.localDataApiUrl = props.localDataApiUrl;
      // The stand-in ignores credentials; the secret exists so IAM grants and env vars match prod.
      this.secret = new Secret(this, "Secret", {
        description: "Stand-in credentials for the local Data API endpoint",
        removalPolicy: RemovalPolicy.DESTROY,
      });
      this.clusterArn = Stack.of(this).formatArn({
        service: "rds",
        resource: "cluster",
        resourceName: `${config.app}-local`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      return;
    }
    // Isolated subnets only: the cluster needs subnets, nothing in them needs the internet.
    const vpc = new Vpc(this, "Vpc", {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: "db", subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: {
        rejected: {
          destination: FlowLogDestination.toCloudWatchLogs(
            new LogGroup(this, "FlowLogs", { retention: RetentionDays.ONE_MONTH }),
          ),
        },
      },
    });
    this.cluster = new DatabaseCluster(this, "Cluster", {
      engine: DatabaseClusterEngine.auroraPostgres({ version: AuroraPostgresEngineVersion.VER_16_8 }),
      writer: ClusterInstance.serverlessV2("writer"),
      serverlessV2MinCapacity: config.database.minCapacityAcu,
      serverlessV2MaxCapacity: config.database.maxCapacityAcu,
      enableDataApi: true,
      defaultDatabaseName: config.database.name,
      credentials: Credentials.fromGeneratedSecret("groundcrew"),
      storageEncrypted: true,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      backup: { retention: Duration.days(7) },
      vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
    });
    this.clusterArn = this.cluster.clusterArn;
    this.secret = this.cluster.secret as ISecret;
    Validations.of(this.cluster).acknowledge(
      {
        id: "AwsSolutions-RDS6",
        reason:
          "Functions reach the database only through the Data API, which authenticates with the Secrets Manager secret and IAM on rds-data; no client connects with IAM database tokens.",
      },
      {
        id: "AwsSolutions-SMG4",
        reason:
          "Rotation needs a rotation Lambda inside the isolated VPC plus a Secrets Manager interface endpoint; the secret never leaves AWS (Data API reads it server-side). Add rotation when your compliance regime asks for it.",
      },
    );
  }

  /** Grants Data API access and sets the variables `database()` reads, together. */
  bind(fn: LambdaFunction): void {
    if (this.cluster) {
      this.cluster.grantDataApiAccess(fn);
    } else {
      this.secret.grantRead(fn);
    }
    setVariables(fn, databaseVariables, {
      DB_CLUSTER_ARN: this.clusterArn,
      DB_SECRET_ARN: this.secret.secretArn,
      DB_NAME: this.props.config.database.name,
      AWS_ENDPOINT_URL_RDS_DATA: this.localDataApiUrl,
    });
  }
}
