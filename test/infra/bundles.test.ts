import { build, type Metafile } from "esbuild";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { esbuildOptions } from "../../infra/bundling.js";
import { handlerEntries } from "../../infra/bundling.js";
import { functionsDir } from "../../infra/paths.js";

/**
 * Each function bundled as it deploys (infra/bundling.ts), read through esbuild's metafile: a package
 * a function cannot call must not be in its zip, where it costs bytes and load time at every cold start.
 * The rules are data: add a line when a function must stay clear of something.
 */

type Kind = keyof typeof handlerEntries;

/** Code no deployed function may hold: test and build tools, and zod's translations (we answer in English). */
const nowhere: Record<string, RegExp> = {
  "zod locales other than en": /node_modules\/zod\/v4\/locales\/(?!en\.)/,
  "AWS SDK v2": /node_modules\/aws-sdk\//,
  "the CDK": /node_modules\/(aws-cdk-lib|constructs)\//,
  "test databases": /node_modules\/(pg|@electric-sql\/pglite|data-api-client)\//,
  "the Lambda client (tests only)": /node_modules\/@aws-sdk\/client-lambda\//,
};

/** Media's SDK packages: only the API (upload URLs) and the media functions sign or store objects. */
const mediaSdk = [
  "@aws-sdk/client-s3",
  "@aws-sdk/s3-presigned-post",
  "@aws-sdk/cloudfront-signer",
  "@aws-sdk/client-secrets-manager",
];

/** Packages each function must not bundle, because none of its code paths can call them. */
const notIn: Partial<Record<Kind, readonly string[]>> = {
  // The beat enqueues and starts maintenance; a task's media code runs in the worker, not here.
  dispatcher: mediaSdk,
  // Migrations speak only to the database.
  setup: mediaSdk,
};

const metafiles = new Map<Kind, Metafile>();

beforeAll(async () => {
  const kinds = Object.keys(handlerEntries) as Kind[];
  const results = await Promise.all(
    kinds.map((kind) =>
      build({
        ...esbuildOptions(join(functionsDir, handlerEntries[kind]), "/nonexistent"),
        metafile: true,
        write: false,
        logLevel: "error",
      }),
    ),
  );
  kinds.forEach((kind, i) => metafiles.set(kind, results[i]!.metafile));
}, 60_000);

function inputs(kind: Kind): string[] {
  const metafile = metafiles.get(kind);
  if (!metafile) throw new Error(`${kind} was not bundled`);
  // The output's inputs with bytes in it: esbuild also lists files it read and then shook out entirely.
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint);
  return Object.entries(output?.inputs ?? {}).flatMap(([path, { bytesInOutput }]) => (bytesInOutput > 0 ? [path] : []));
}

describe("function bundles", () => {
  it.each(Object.keys(handlerEntries) as Kind[])("%s holds nothing it cannot run", (kind) => {
    const found = Object.entries(nowhere).flatMap(([what, pattern]) => {
      const hits = inputs(kind).filter((input) => pattern.test(input));
      return hits.length > 0 ? [`${what}: ${hits.slice(0, 3).join(", ")}${hits.length > 3 ? ", ..." : ""}`] : [];
    });
    expect(found).toEqual([]);
  });

  it.each(Object.entries(notIn) as Array<[Kind, readonly string[]]>)(
    "%s bundles none of the packages it cannot call",
    (kind, packages) => {
      const present = packages.filter((pkg) => inputs(kind).some((input) => input.includes(`node_modules/${pkg}/`)));
      expect(present).toEqual([]);
    },
  );

  it("the check sees packages that are there", () => {
    // Guards the guard: the API signs uploads, so the S3 SDK must show up in its inputs.
    expect(inputs("api").some((input) => input.includes("node_modules/@aws-sdk/client-s3/"))).toBe(true);
  });
});
