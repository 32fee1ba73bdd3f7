import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootstrapOnce, localOutputs } from "../../localstack/deploy.js";

// What `cdk deploy --outputs-file` reported for the local stack on ministack (trimmed).
const stack = {
  ApiRestApiEndpoint4DEFB5CC: "https://d3240a95.execute-api.us-east-1.amazonaws.com/api/",
  ApiUrl: "https://d3240a95.execute-api.us-east-1.amazonaws.com/api/",
  ApiId: "d3240a95",
  ApiStage: "api",
  QueueDefaultUrl: "http://127.0.0.1:4630/000000000000/groundcrew-local-QueuesdefaultQueue-D0307",
  QueueDefaultDeadLetterUrl: "http://127.0.0.1:4630/000000000000/groundcrew-local-QueuesdefaultDeadLetters-7FA9",
  StaticUrl: "http://127.0.0.1:4630/groundcrew-local-staticsitebucket-91c3/index.html",
  MediaBucketName: "groundcrew-local-mediabucket4022ebbf-2dc4b7b6da13b",
  AuthSecretArn: "groundcrew-local-AuthSigningSecretCED60884-6830A69AA7C6C",
  AlarmTopicArn: "arn:aws:sns:us-east-1:000000000000:groundcrew-local-AlarmsTopic",
  // Prod-only outputs, should a stage ever report them locally.
  MediaCdnDomain: "d111111abcdef8.cloudfront.net",
  StaticSiteUrl: "https://d222222abcdef8.CloudFront.net/index.html",
};

describe(".local/outputs.json", () => {
  const outputs = localOutputs(stack, "http://127.0.0.1:4630");

  it("holds the API under apiUrl, the emulator's path for the stage, as the README reads it", () => {
    expect(outputs.apiUrl).toBe("http://127.0.0.1:4630/_aws/execute-api/d3240a95/api");
    expect(outputs.endpoint).toBe("http://127.0.0.1:4630");
    expect(outputs.stackName).toBe("groundcrew-local");
  });

  it("leaves out every address of real AWS: execute-api URLs and CloudFront domains", () => {
    for (const key of ["ApiUrl", "ApiRestApiEndpoint4DEFB5CC", "MediaCdnDomain", "StaticSiteUrl"])
      expect(outputs).not.toHaveProperty(key);
    expect(JSON.stringify(outputs)).not.toMatch(/amazonaws\.com|cloudfront\.net/i);
  });

  it("keeps local URLs, names and ARNs under the stack's own names, which scripts and tests read", () => {
    expect(outputs).toMatchObject({
      QueueDefaultUrl: stack.QueueDefaultUrl,
      QueueDefaultDeadLetterUrl: stack.QueueDefaultDeadLetterUrl,
      StaticUrl: stack.StaticUrl,
      MediaBucketName: stack.MediaBucketName,
      AuthSecretArn: stack.AuthSecretArn,
      AlarmTopicArn: stack.AlarmTopicArn,
      ApiId: "d3240a95",
    });
    const urls = Object.values(outputs).filter((value) => /^https?:/.test(value));
    expect(urls.every((url) => url.startsWith("http://127.0.0.1:4630"))).toBe(true);
  });
});

describe("bootstrapOnce", () => {
  const setup = (deployed: { bootstrap: boolean }) => {
    const dir = mkdtempSync(join(tmpdir(), "groundcrew-bootstrap-"));
    let runs = 0;
    const steps = {
      dir,
      bootstrap: () => {
        runs++;
        deployed.bootstrap = true;
        return Promise.resolve();
      },
      isBootstrapped: () => Promise.resolve(deployed.bootstrap),
    };
    return { steps, runs: () => runs };
  };

  it("bootstraps once per emulator run, and again for a new run", async () => {
    const { steps, runs } = setup({ bootstrap: false });
    expect(await bootstrapOnce("ministack:100", steps)).toBe(true);
    expect(await bootstrapOnce("ministack:100", steps)).toBe(false);
    expect(await bootstrapOnce("ministack:200", steps)).toBe(true);
    expect(runs()).toBe(2);
  });

  it("bootstraps an emulator started elsewhere again once it lost the bootstrap stack (a restart at the same address)", async () => {
    const deployed = { bootstrap: false };
    const { steps, runs } = setup(deployed);
    expect(await bootstrapOnce("external:http://127.0.0.1:4566", steps)).toBe(true);
    expect(await bootstrapOnce("external:http://127.0.0.1:4566", steps)).toBe(false);
    deployed.bootstrap = false;
    expect(await bootstrapOnce("external:http://127.0.0.1:4566", steps)).toBe(true);
    expect(runs()).toBe(2);
  });
});
