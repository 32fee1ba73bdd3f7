import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/contracts/config/load.js";
import {
  checkFunctionEnvironment,
  databaseVariables,
  isBound,
  mediaCdnVariables,
  queueVariables,
  readVariables,
  workerVariables,
} from "../../../functions/contracts/environment.js";

const database = {
  DB_CLUSTER_ARN: "arn:aws:rds:eu-west-1:1:cluster:c",
  DB_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:1:secret:s",
  DB_NAME: "groundcrew",
};
const queues = {
  GROUNDCREW_QUEUES: JSON.stringify({ default: { url: "https://sqs/q", deadLetterUrl: "https://sqs/dlq" } }),
};
const runtime = {
  GROUNDCREW_CONFIG: JSON.stringify(loadConfig("prod")),
  GROUNDCREW_STAGE: "prod",
  GROUNDCREW_VERSION: "1.0.0",
  GROUNDCREW_FUNCTION: "worker",
  POWERTOOLS_SERVICE_NAME: "groundcrew-worker",
  POWERTOOLS_LOG_LEVEL: "INFO",
};

describe("reading a binding", () => {
  it("parses what infra wrote, JSON included", () => {
    expect(readVariables(databaseVariables, database)).toMatchObject({ DB_NAME: "groundcrew" });
    expect(readVariables(queueVariables, queues).GROUNDCREW_QUEUES.default?.deadLetterUrl).toBe("https://sqs/dlq");
    expect(readVariables(workerVariables, { GROUNDCREW_WORKER_QUEUE: "default" }).GROUNDCREW_WORKER_ONE_AT_A_TIME).toBe(
      false,
    );
    expect(
      readVariables(workerVariables, { GROUNDCREW_WORKER_QUEUE: "x", GROUNDCREW_WORKER_ONE_AT_A_TIME: "true" })
        .GROUNDCREW_WORKER_ONE_AT_A_TIME,
    ).toBe(true);
  });

  it("names each missing variable and the CDK helper that sets it", () => {
    expect(() => readVariables(databaseVariables, { DB_NAME: "groundcrew" })).toThrow(
      "DB_CLUSTER_ARN is not set; DB_SECRET_ARN is not set: set by Database.bind in CDK",
    );
    // An empty value is as good as none: CloudFormation writes "" for a token that resolved to nothing.
    expect(() => readVariables(databaseVariables, { ...database, DB_NAME: "" })).toThrow(/DB_NAME is not set/);
  });

  it("names a malformed variable with what is wrong with it", () => {
    expect(() => readVariables(queueVariables, { GROUNDCREW_QUEUES: "{not json" })).toThrow(
      /GROUNDCREW_QUEUES is not JSON/,
    );
    expect(() =>
      readVariables(queueVariables, { GROUNDCREW_QUEUES: JSON.stringify({ default: { url: "u" } }) }),
    ).toThrow(/GROUNDCREW_QUEUES/);
    expect(() =>
      readVariables(workerVariables, { GROUNDCREW_WORKER_QUEUE: "q", GROUNDCREW_WORKER_ONE_AT_A_TIME: "yes" }),
    ).toThrow(/GROUNDCREW_WORKER_ONE_AT_A_TIME/);
  });

  it("tells a binding that was never written from one that was", () => {
    expect(isBound(mediaCdnVariables, {})).toBe(false);
    expect(isBound(mediaCdnVariables, { MEDIA_CDN_DOMAIN: "d.cloudfront.net" })).toBe(true);
  });
});

describe("checking a function's environment at cold start", () => {
  it("accepts a worker with everything its kind reads", () => {
    expect(() =>
      checkFunctionEnvironment("worker", { ...runtime, ...database, ...queues, GROUNDCREW_WORKER_QUEUE: "default" }),
    ).not.toThrow();
  });

  it("lists every missing variable at once, not the first one a request happens to need", () => {
    expect(() => checkFunctionEnvironment("worker", { ...runtime, ...database })).toThrow(
      /worker function's environment is incomplete: GROUNDCREW_QUEUES is not set.*\| GROUNDCREW_WORKER_QUEUE is not set/,
    );
  });

  it("refuses a half-written optional binding (CloudFront signing without its key)", () => {
    const worker = { ...runtime, ...database, ...queues, GROUNDCREW_WORKER_QUEUE: "reports", MEDIA_BUCKET: "b" };
    expect(() => checkFunctionEnvironment("worker", { ...worker, MEDIA_CDN_DOMAIN: "d.cloudfront.net" })).toThrow(
      /MEDIA_CDN_KEY_PAIR_ID is not set/,
    );
  });
});
