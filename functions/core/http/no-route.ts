import { MethodNotAllowedError, NotFoundError } from "../errors.js";
import { fitsTemplate } from "./path-template.js";

/**
 * The router's answer when no route takes the request: a path served under other methods is a 405
 * naming them (the `allow` header), any other path a 404.
 */
export function noRoute(routes: readonly { method: string; path: string }[]) {
  return ({ method, path }: { method: string; path: string }): never => {
    const allow = [...new Set(routes.filter((r) => fitsTemplate(r.path, path)).map((r) => r.method))];
    // The router found no route for this method, so a path that only "fits" it is no route at all.
    if (allow.length > 0 && !allow.includes(method))
      throw new MethodNotAllowedError(`${method} is not allowed on ${path}`, allow);
    throw new NotFoundError(`No route for ${method} ${path}`);
  };
}
