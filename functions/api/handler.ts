import httpRouterHandler from "@middy/http-router";
import middy from "@middy/core";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { ensureEnvironment } from "../core/environment-check.js";
import { accessLog } from "../core/http/access-log.js";
import { httpErrors } from "../core/http/errors.js";
import { noRoute } from "../core/http/no-route.js";
import { routes } from "./routes/index.js";

/** The API Lambda behind API Gateway's `{proxy+}`: routing here, each route validating its own input. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .before(() => ensureEnvironment("api"))
  .use(accessLog())
  .use(httpErrors())
  .handler(httpRouterHandler({ routes, notFoundResponse: noRoute(routes) }));
