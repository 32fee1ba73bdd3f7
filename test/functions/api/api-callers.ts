import middy from "@middy/core";
import httpRouterHandler from "@middy/http-router";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Handler } from "aws-lambda";
import { signLocalToken } from "../../../functions/core/auth/local-token.js";
import { createVerifier } from "../../../functions/core/auth/verifier.js";
import type { Route } from "../../../functions/core/http/route.js";
import { httpEvent } from "../../support/http-event.js";

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

/** Calls routes in-process through middy's router, as API Gateway's proxy integration would. */
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
    return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
  };
}
