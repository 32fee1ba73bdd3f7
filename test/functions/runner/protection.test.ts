import { Logger } from "@aws-lambda-powertools/logger";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scaleInProtection } from "../../../functions/runner/protection.js";

const logger = new Logger({ logLevel: "CRITICAL" as never });

describe("ECS scale-in protection through the container agent", () => {
  const requests: { method?: string; url?: string; body: unknown }[] = [];
  const agent = createServer((request: IncomingMessage, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      requests.push({ method: request.method, url: request.url, body: JSON.parse(body) as unknown });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  let uri = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => agent.listen(0, "127.0.0.1", resolve));
    uri = `http://127.0.0.1:${(agent.address() as AddressInfo).port}/api/task-1`;
  });
  afterAll(() => new Promise<void>((resolve) => agent.close(() => resolve())));

  it("protects a busy runner for its longest task, and unprotects it when idle", async () => {
    const protection = scaleInProtection(uri, 35.2, logger);
    await protection.set(true);
    await protection.set(false);
    expect(requests).toEqual([
      {
        method: "PUT",
        url: "/api/task-1/task-protection/v1/state",
        body: { ProtectionEnabled: true, ExpiresInMinutes: 36 },
      },
      { method: "PUT", url: "/api/task-1/task-protection/v1/state", body: { ProtectionEnabled: false } },
    ]);
  });

  it("does nothing without an agent (the local host process), and never throws when the agent fails", async () => {
    await expect(scaleInProtection(undefined, 10, logger).set(true)).resolves.toBeUndefined();
    await expect(scaleInProtection("http://127.0.0.1:9", 10, logger).set(true)).resolves.toBeUndefined();
  });
});
