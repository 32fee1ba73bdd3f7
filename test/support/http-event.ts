import type { APIGatewayProxyEvent } from "aws-lambda";

/** A REST v1 proxy event as API Gateway sends it, with only what a test sets. */
export function httpEvent(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    httpMethod: "POST",
    path: "/things",
    resource: "/{proxy+}",
    body: null,
    headers: {},
    multiValueHeaders: {},
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent["requestContext"],
    ...overrides,
  };
}
