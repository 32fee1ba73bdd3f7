import { readdirSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { HASHED_ASSETS_DIR, IMMUTABLE_CACHE, REVALIDATE_CACHE } from "../contracts/static-site.js";

export { HASHED_ASSETS_DIR, IMMUTABLE_CACHE, REVALIDATE_CACHE };

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".map": "application/json",
  ".webmanifest": "application/manifest+json",
};

export interface StaticFile {
  /** Path inside the folder, with "/" separators: the object key. */
  key: string;
  path: string;
  contentType: string;
  cacheControl: string;
}

export function contentTypeOf(key: string): string {
  return contentTypes[extname(key).toLowerCase()] ?? "application/octet-stream";
}

export function cacheControlOf(key: string): string {
  return key.startsWith(`${HASHED_ASSETS_DIR}/`) ? IMMUTABLE_CACHE : REVALIDATE_CACHE;
}

/** Every file under `root`, with the headers it is served with; the same rules as the prod deployment. */
export function staticFiles(root: string): StaticFile[] {
  const files: StaticFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const key = relative(root, path).split(sep).join("/");
        files.push({ key, path, contentType: contentTypeOf(key), cacheControl: cacheControlOf(key) });
      }
    }
  };
  walk(root);
  return files;
}
