import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { CloudFormationCustomResourceEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { createPublicKey } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { ensureSigningKey } from "../../../functions/media/keygen/handler.js";
import { privateKeyFrom } from "../../../functions/media/signing-key.js";

const secrets = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: "us-east-1" });
const base = {
  ServiceToken: "x",
  ResponseURL: "x",
  StackId: "s",
  RequestId: "r",
  LogicalResourceId: "K",
  ResourceType: "Custom::X",
};
const event = (
  RequestType: "Create" | "Update" | "Delete",
  Generation: string,
  PhysicalResourceId = "media-signing-key-1",
) =>
  ({
    ...base,
    RequestType,
    PhysicalResourceId,
    ResourceProperties: { ServiceToken: "x", SecretArn: "arn:secret", Generation },
    OldResourceProperties: {},
  }) as unknown as CloudFormationCustomResourceEvent;

describe("signing key generator", () => {
  beforeEach(() => secrets.reset());

  it("writes a fresh RSA pair into the secret on create and returns only the public half", async () => {
    secrets.on(PutSecretValueCommand).resolves({});
    const result = await ensureSigningKey(event("Create", "1"), client);
    const written = secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input;
    expect(written?.SecretId).toBe("arn:secret");
    const stored = JSON.parse(written?.SecretString ?? "{}");
    expect(result).toEqual({ PhysicalResourceId: "media-signing-key-1", Data: { PublicKeyPem: stored.publicKey } });
    expect(result.Data.PublicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(JSON.stringify(result)).not.toContain("PRIVATE KEY");
    // The two halves belong together.
    expect(createPublicKey(privateKeyFrom(written?.SecretString ?? "")).export({ type: "spki", format: "pem" })).toBe(
      stored.publicKey,
    );
  });

  it("keeps the pair on an unrelated update and rotates it when the generation changes", async () => {
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        privateKey: "-----BEGIN PRIVATE KEY-----x",
        publicKey: "-----BEGIN PUBLIC KEY-----old",
      }),
    });
    secrets.on(PutSecretValueCommand).resolves({});
    expect(await ensureSigningKey(event("Update", "1"), client)).toEqual({
      PhysicalResourceId: "media-signing-key-1",
      Data: { PublicKeyPem: "-----BEGIN PUBLIC KEY-----old" },
    });
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    const rotated = await ensureSigningKey(event("Update", "2"), client);
    expect(rotated.PhysicalResourceId).toBe("media-signing-key-2");
    expect(rotated.Data.PublicKeyPem).not.toContain("old");
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(1);
  });

  it("does nothing on delete (the secret goes with the stack)", async () => {
    expect(await ensureSigningKey(event("Delete", "1"), client)).toMatchObject({
      PhysicalResourceId: "media-signing-key-1",
    });
    expect(secrets.calls()).toHaveLength(0);
  });
});

describe("privateKeyFrom", () => {
  it("accepts a bare PEM or the generator's JSON and refuses anything else", () => {
    expect(privateKeyFrom("-----BEGIN PRIVATE KEY-----\nabc")).toContain("abc");
    expect(privateKeyFrom(JSON.stringify({ privateKey: "-----BEGIN PRIVATE KEY-----y", publicKey: "p" }))).toContain(
      "y",
    );
    expect(() => privateKeyFrom(JSON.stringify({ publicKey: "p" }))).toThrow(/no PEM private key/);
  });
});
