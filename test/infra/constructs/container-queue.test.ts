import * as z from "zod";
import { Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/contracts/config/load.js";
import { functionEnvironments, type Binding } from "../../../functions/contracts/environment.js";
import { Alarms } from "../../../infra/constructs/alarms.js";
import { Database } from "../../../infra/constructs/database.js";
import { WorkerQueues } from "../../../infra/constructs/worker-queues.js";
import { synthStage, testApp } from "../synth.js";

type Container = { Environment?: { Name: string; Value: unknown }[]; StopTimeout?: number };

describe("ContainerQueue (runtime: container)", () => {
  const { template } = synthStage("prod");

  it("runs the long queue's runners on Fargate arm64, from an image built at deploy", () => {
    template.hasResourceProperties("AWS::ECS::TaskDefinition", {
      RequiresCompatibilities: ["FARGATE"],
      RuntimePlatform: { CpuArchitecture: "ARM64", OperatingSystemFamily: "LINUX" },
      Cpu: "1024",
      Memory: "2048",
      ContainerDefinitions: [Match.objectLike({ StopTimeout: 120, Image: Match.anyValue() })],
    });
    template.hasResourceProperties("AWS::SQS::Queue", { VisibilityTimeout: 300 });
    // No worker Lambda for it: its tasks may outlive one.
    const workers = Object.values(template.findResources("AWS::Lambda::Function")).filter(
      (fn) =>
        (fn.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables
          ?.GROUNDCREW_WORKER_QUEUE === "long",
    );
    expect(workers).toEqual([]);
  });

  it("has no NAT gateway: public subnets, a public IP, and a security group that admits nothing", () => {
    template.resourceCountIs("AWS::EC2::NatGateway", 0);
    template.hasResourceProperties("AWS::ECS::Service", {
      LaunchType: "FARGATE",
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: "ENABLED" }) },
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 0, MaximumPercent: 100 }),
    });
    const groups = template.findResources("AWS::EC2::SecurityGroup", {
      Properties: { GroupDescription: Match.stringLikeRegexp("Runners of the long queue") },
    });
    expect(Object.keys(groups)).toHaveLength(1);
    for (const group of Object.values(groups))
      expect((group.Properties as { SecurityGroupIngress?: unknown }).SecurityGroupIngress).toBeUndefined();
    template.resourceCountIs("AWS::EC2::SecurityGroupIngress", 0);
  });

  it("scales from 0 to maxConcurrency / concurrency runners on the queue's backlog", () => {
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", {
      MinCapacity: 0,
      MaxCapacity: 4,
      ScalableDimension: "ecs:service:DesiredCount",
    });
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", {
      StepScalingPolicyConfiguration: Match.objectLike({ AdjustmentType: "ExactCapacity" }),
    });
  });

  it("gives the runner exactly the environment its kind reads (the ECS side of the environment contract)", () => {
    const definitions = Object.values(template.findResources("AWS::ECS::TaskDefinition"));
    expect(definitions).toHaveLength(1);
    const [container] = (definitions[0]!.Properties as { ContainerDefinitions: Container[] }).ContainerDefinitions;
    const present = (container?.Environment ?? []).map((variable) => variable.Name);
    const { required, optional } = functionEnvironments.runner;
    const requiredNames = (binding: Binding) =>
      Object.entries(binding.schema.shape)
        .filter(([, schema]) => !z.safeParse(schema, undefined).success)
        .map(([name]) => name);
    expect(required.flatMap(requiredNames).filter((name) => !present.includes(name))).toEqual([]);
    const known = new Set([...required, ...optional].flatMap((binding) => Object.keys(binding.schema.shape)));
    expect(present.filter((name) => !known.has(name))).toEqual([]);
    const value = (name: string) => container?.Environment?.find((variable) => variable.Name === name)?.Value;
    expect(value("GROUNDCREW_FUNCTION")).toBe("runner");
    expect(value("GROUNDCREW_WORKER_QUEUE")).toBe("long");
  });

  it("builds no ECS service locally, where local:up runs the runner as a host process", () => {
    const local = synthStage("local").template;
    local.resourceCountIs("AWS::ECS::Service", 0);
    local.resourceCountIs("AWS::ECS::TaskDefinition", 0);
    local.hasResourceProperties("AWS::SQS::Queue", { VisibilityTimeout: 6 });
    expect(Object.keys(local.toJSON().Outputs as object)).toEqual(
      expect.arrayContaining(["QueueLongUrl", "QueueLongDeadLetterUrl"]),
    );
  });
});

describe("task limits at synth", () => {
  const celery = { name: "reports.export", timeLimitSeconds: 1500, hardTimeLimitSeconds: 1800 };
  function queues(queue: string) {
    const config = loadConfig("prod");
    const stack = new Stack(testApp(), "limits");
    const alarms = new Alarms(stack, "Alarms", { config });
    const database = new Database(stack, "Database", { config });
    return () => new WorkerQueues(stack, "Queues", { config, database, alarms, tasks: [{ ...celery, queue }] });
  }

  it("accepts a 25/30-minute task on a container queue", () => {
    const built = queues("long")();
    expect(built.containerQueues.map((q) => q.queueName)).toEqual(["long"]);
    expect(Template.fromStack(Stack.of(built)).findResources("AWS::ECS::Service")).not.toEqual({});
  });

  it("refuses it on a Lambda queue, naming the task and the way out", () => {
    expect(queues("default")).toThrow(
      /reports\.export.*queue "default".*must end within 900 s; put it on a queue with runtime "container"/,
    );
  });
});
