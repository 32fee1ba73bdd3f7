import { describe, expect, it } from "vitest";
import { problemSchema, PROBLEM_CONTENT_TYPE } from "../../../functions/contracts/api/problem.js";
import { GATEWAY_PROBLEMS } from "../../../infra/constructs/api.js";
import { synthStage } from "../synth.js";

interface GatewayResponse {
  ResponseType: string;
  StatusCode: string;
  ResponseParameters: Record<string, string>;
  ResponseTemplates: Record<string, string>;
}

/** What API Gateway makes of a template: its variables filled in as it would ($context.error.messageString comes quoted). */
const render = (template: string) =>
  template
    .replace("$context.error.messageString", JSON.stringify("Endpoint request timed out"))
    .replace("$context.requestId", "c0ffee");

describe("API Gateway's own answers", () => {
  const { template } = synthStage("prod");
  const responses = Object.values(template.findResources("AWS::ApiGateway::GatewayResponse")).map(
    (r) => (r as { Properties: GatewayResponse }).Properties,
  );
  const byType = new Map(responses.map((r) => [r.ResponseType, r]));

  it("are problem details for throttling, timeouts, large bodies, 401/403, missing routes and the defaults", () => {
    for (const type of [
      "THROTTLED",
      "INTEGRATION_TIMEOUT",
      "REQUEST_TOO_LARGE",
      "UNAUTHORIZED",
      "ACCESS_DENIED",
      "MISSING_AUTHENTICATION_TOKEN",
      "DEFAULT_4XX",
      "DEFAULT_5XX",
    ])
      expect(byType.has(type), type).toBe(true);
    expect(responses).toHaveLength(GATEWAY_PROBLEMS.length);
    for (const response of responses) {
      expect(response.ResponseParameters).toEqual({
        "gatewayresponse.header.Content-Type": `'${PROBLEM_CONTENT_TYPE}'`,
      });
      const body = JSON.parse(render(response.ResponseTemplates["application/json"]!)) as unknown;
      const problem = problemSchema.parse(body);
      expect(problem.status, response.ResponseType).toBe(Number(response.StatusCode));
      expect(problem.detail).toBe("Endpoint request timed out");
    }
  });

  it("answer with the status a client expects: 429, 504, 413, 401, 403, and 404 for a path no route has", () => {
    const status = (type: string) => byType.get(type)?.StatusCode;
    expect(status("THROTTLED")).toBe("429");
    expect(status("INTEGRATION_TIMEOUT")).toBe("504");
    expect(status("REQUEST_TOO_LARGE")).toBe("413");
    expect(status("UNAUTHORIZED")).toBe("401");
    expect(status("ACCESS_DENIED")).toBe("403");
    expect(status("MISSING_AUTHENTICATION_TOKEN")).toBe("404");
    expect(status("DEFAULT_5XX")).toBe("502");
  });
});
