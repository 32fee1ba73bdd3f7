import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";

/**
 * Stack traces in the TypeScript a reader knows, paid for only when an error is logged.
 *
 * A function ships as one minified index.js with index.js.map beside it (infra/bundling.ts). Node's
 * --enable-source-maps would read and parse that map at every cold start, a quarter more load time,
 * to map errors that most invocations never log. Here the map is read the first time a logged error
 * has a frame in the bundle, then kept for the life of the container; Node's own SourceMap decodes it.
 */

const maps = new Map<string, SourceMap | undefined>();

function mapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) maps.set(file, load(file));
  return maps.get(file);
}

function load(file: string): SourceMap | undefined {
  try {
    return new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")) as ConstructorParameters<typeof SourceMap>[0]);
  } catch {
    // No map beside this file (tests run the TypeScript itself, node_modules ship none): leave its frames as they are.
    return undefined;
  }
}

/** A bundle frame's position: `/var/task/index.js:1:23456`, inside "at fn (...)" or after a bare "at ". */
const position = /(\/[^\s()]+\.[cm]?js):(\d+):(\d+)/g;

/** The stack with each frame in a mapped bundle rewritten to its source file, line and column. */
export function originalStack(stack: string): string {
  return stack.replace(position, (whole, file: string, line: string, column: string) => {
    const origin = mapOf(file)?.findOrigin(Number(line), Number(column));
    if (!origin || !("fileName" in origin)) return whole;
    // esbuild names sources relative to the output folder ("../../functions/api/handler.ts"): keep the repository's part.
    return `${origin.fileName.replace(/^(?:\.\.\/)+/, "")}:${origin.lineNumber}:${origin.columnNumber}`;
  });
}

const mapped = new WeakSet<Error>();

/**
 * Rewrites the stack of an error and of its causes in place, once; the logger calls it on every error it
 * writes. An error never logged is never mapped, so its cost stays off the request path.
 */
export function mapErrorStack(error: Error): Error {
  for (let current: unknown = error; current instanceof Error && !mapped.has(current); current = current.cause) {
    mapped.add(current);
    if (typeof current.stack === "string") current.stack = originalStack(current.stack);
  }
  return error;
}
