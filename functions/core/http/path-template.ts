/**
 * Route paths are templates (`/tasks/{id}/cancel`): API Gateway's and OpenAPI's notation. This
 * tells whether a request path fits one, segment by segment, as the router does.
 */
export function fitsTemplate(template: string, path: string): boolean {
  const want = segments(template);
  const have = segments(path);
  // A parameter takes one whole, non-empty segment, as the router's own pattern does.
  return (
    want.length === have.length &&
    want.every((part, i) => (/^\{[^}]+\}$/.test(part) ? Boolean(have[i]) : part === have[i]))
  );
}

const segments = (path: string) => path.replace(/\/+$/, "").split("/");
