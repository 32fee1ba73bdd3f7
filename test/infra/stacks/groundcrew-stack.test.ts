import { App } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { synthStage } from "../synth.js";

describe("prod stage", () => {
  const { template, stack } = synthStage("prod");

  it("needs no context lookup for an account: the VPC's two zones come from Fn::GetAZs at deploy time", () => {
    expect(App.of(stack)?.synth().manifest.missing).toBeUndefined();
    const zones = Object.values(template.findResources("AWS::EC2::Subnet")).map(
      (subnet) => subnet.Properties.AvailabilityZone,
    );
    // The database's two isolated subnets, and the container queues' runners' two public ones.
    const twoZones = [0, 1].map((index) => ({ "Fn::Select": [index, { "Fn::GetAZs": "" }] }));
    expect(zones).toEqual([...twoZones, ...twoZones]);
  });

  it("runs Aurora Serverless v2 PostgreSQL with the Data API and a generated secret", () => {
    template.hasResourceProperties("AWS::RDS::DBCluster", {
      Engine: "aurora-postgresql",
      EnableHttpEndpoint: true,
      StorageEncrypted: true,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 4 },
    });
    template.hasResourceProperties("AWS::RDS::DBInstance", { DBInstanceClass: "db.serverless" });
    // The cluster's own generated secret (the media signing key has its own, in Media/).
    expect(
      Object.keys(template.findResources("AWS::SecretsManager::Secret")).filter((id) => !id.startsWith("Media")),
    ).toHaveLength(1);
  });

  it("keeps every function outside a VPC on nodejs22.x with the SDK bundled", () => {
    const functions = template.findResources("AWS::Lambda::Function");
    const ours = Object.values(functions).filter((f) => f.Properties?.Environment?.Variables?.GROUNDCREW_CONFIG);
    expect(ours.length).toBeGreaterThanOrEqual(2);
    for (const fn of ours) {
      expect(fn.Properties.Runtime).toBe("nodejs22.x");
      expect(fn.Properties.VpcConfig).toBeUndefined();
    }
  });

  it("runs migrations through a Trigger before the API function is updated", () => {
    const triggers = template.findResources("Custom::Trigger");
    const [triggerId] = Object.keys(triggers);
    expect(triggerId).toBeDefined();
    const apiFunction = Object.entries(template.findResources("AWS::Lambda::Function")).find(([id]) =>
      id.startsWith("ApiFunction"),
    );
    expect(apiFunction?.[1].DependsOn).toEqual(expect.arrayContaining([triggerId]));
    // The Trigger waits for the cluster and its writer.
    expect(JSON.stringify(triggers[triggerId as string]?.DependsOn)).toMatch(/DatabaseCluster/);
  });

  it("grants the API function Data API access to the cluster", () => {
    template.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(["rds-data:ExecuteStatement"]), Effect: "Allow" }),
        ]),
      },
    });
  });

  it("fronts the API with a throttled REST v1 proxy", () => {
    template.hasResourceProperties("AWS::ApiGateway::Method", {
      HttpMethod: "ANY",
      Integration: { Type: "AWS_PROXY" },
    });
    template.hasResourceProperties("AWS::ApiGateway::Stage", {
      StageName: "api",
      MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 })]),
    });
  });
});

describe("local stage", () => {
  const { template } = synthStage("local");

  it("leaves out what the emulator cannot host and points functions at the Data API stand-in", () => {
    template.resourceCountIs("AWS::RDS::DBCluster", 0);
    template.resourceCountIs("AWS::EC2::VPC", 0);
    template.resourceCountIs("AWS::RDS::DBSubnetGroup", 0);
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({ AWS_ENDPOINT_URL_RDS_DATA: "http://127.0.0.1:4567", DB_NAME: "groundcrew" }),
      },
    });
    // The setup Trigger (the static site adds its own upload Trigger locally).
    expect(
      Object.keys(template.findResources("Custom::Trigger")).filter((id) => id.startsWith("SetupRunMigrations")),
    ).toHaveLength(1);
  });
});
