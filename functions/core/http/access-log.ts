import type middy from "@middy/core";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { logger } from "../logger.js";

/** One line per request, as gunicorn's access log gave: method, path, status, duration, request id. */
export function accessLog(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const started = new WeakMap<object, number>();
  const write = (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult>) => {
    const { event, response } = request;
    logger.info("request", {
      method: event.httpMethod,
      path: event.path,
      status: response?.statusCode,
      durationMs: Date.now() - (started.get(request) ?? Date.now()),
      requestId: event.requestContext?.requestId,
    });
  };
  return {
    before: (request) => {
      started.set(request, Date.now());
    },
    after: (request) => write(request),
    onError: (request) => {
      // httpErrors() has turned the error into a response by now; log that response.
      if (request.response) write(request);
    },
  };
}
