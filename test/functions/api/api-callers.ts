import middy from "@middy/core";
import httpRouterHandler from "@middy/http-router";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Handler } from "aws-lambda";
import { signLocalToken } from "../../../functions/core/auth/local-token.js";
import { createVerifier } from "../../../functions/core/auth/verifier.js";
import type { Route } from "../../../functions/core/http/route.js";
import { httpEvent } from "../../support/http-event.js";
import { assertContract, servedRoutes } from "../../integration/contract.js";

/** The local stage's way of signing tokens, with a secret only these tests know. */
export const testSecret = new TextEncoder().encode("a-local-signing-secret-of-enough-length-0123456789");
export const testClaims = { issuer: "groundcrew-local", audience: "groundcrew-api" };
export const testVerifier = async () =>
  createVerifier({ ...testClaims, algorithms: ["HS256"], key: testSecret, rolesClaim: "roles" });

/** The callers of the authorization contract: alice and bob are users, carol is an admin. */
export async function testCallers() {
  const sign = (sub: string, roles: string[] = []) => signLocalToken(testSecret, { ...testClaims, sub, roles });
  return {
    anonymous: undefined,
    alice: await sign("alice"),
    bob: await sign("bob"),
    carol: await sign("carol", ["admin"]),
  };
}

export interface CallOptions {
  token?: string;
  /** A value sent as JSON, or a string sent as the raw body text. */
  body?: unknown;
  query?: Record<string, string>;
}

export type Caller = (
  method: string,
  path: string,
  options?: CallOptions,
) => Promise<APIGatewayProxyResult & { json: any }>;

/**
 * Calls routes in-process through middy's router, as API Gateway's proxy integration would, and
 * checks each answer against the route's contract (test/integration/contract.ts).
 */
export function callerOf(routesOrHandler: Route[] | Handler<APIGatewayProxyEvent, APIGatewayProxyResult>): Caller {
  const handler = Array.isArray(routesOrHandler)
    ? middy<APIGatewayProxyEvent, APIGatewayProxyResult>().handler(httpRouterHandler(routesOrHandler))
    : routesOrHandler;
  return async (method, path, options = {}) => {
    const event = httpEvent({
      httpMethod: method,
      path,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      body:
        options.body === undefined
          ? null
          : typeof options.body === "string"
            ? options.body
            : JSON.stringify(options.body),
      queryStringParameters: options.query ?? null,
    });
    const response = (await handler(event, {} as never, () => undefined)) as APIGatewayProxyResult;
    const json = response.body ? JSON.parse(response.body) : undefined;
    // Every answer a unit test sees is checked against the route's contract, as in the integration tests.
    assertContract(Array.isArray(routesOrHandler) ? routesOrHandler : await servedRoutes(), {
      method,
      path,
      status: response.statusCode,
      contentType: response.headers?.["content-type"] as string | undefined,
      body: json,
    });
    return { ...response, json };
  };
}

/** The refused fields of a validation problem as "path: message" lines, the way a reader sees them. */
export function issues(answer: { json: any }): string[] {
  const errors = (answer.json?.errors ?? []) as { path: string; message: string }[];
  return errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
}
