import { build } from "esbuild";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ConsoleConfig } from "./src/config.js";

const here = dirname(fileURLToPath(import.meta.url));

export interface ConsoleBuild {
  outDir: string;
  /** Bytes of each file written, as served (before compression). */
  sizes: Record<string, number>;
}

/**
 * Builds the operator console into `outDir`: index.html, app.js and app.css (esbuild, minified,
 * one file each), and config.json when a configuration is given: the local front door's default
 * (API at /api, a pasted token) unless told otherwise; prod writes its own at deploy.
 */
export async function buildConsole(
  outDir: string,
  options: { config?: ConsoleConfig | false } = {},
): Promise<ConsoleBuild> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: { app: join(here, "src/main.ts"), "app-styles": join(here, "src/styles.css") },
    outdir: outDir,
    bundle: true,
    minify: true,
    format: "esm",
    target: ["es2022", "chrome110", "firefox110", "safari16"],
    legalComments: "none",
    logLevel: "warning",
  });
  // esbuild names a CSS entry's output after the entry; one name per kind keeps index.html fixed.
  await rename(join(outDir, "app-styles.css"), join(outDir, "app.css"));
  await writeFile(join(outDir, "index.html"), indexHtml);
  const config = options.config === undefined ? localConsoleConfig : options.config;
  if (config) await writeFile(join(outDir, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  const sizes: Record<string, number> = {};
  for (const name of ["index.html", "app.js", "app.css"]) sizes[name] = (await stat(join(outDir, name))).size;
  return { outDir, sizes };
}

/**
 * The local front door's configuration: the API at /api, a pasted token, and the development
 * sign-in only localstack/front-door.ts answers (DEV_SIGN_IN_PATH there; it is no route of the API).
 */
export const localConsoleConfig: ConsoleConfig = {
  apiBaseUrl: "/api",
  signIn: { kind: "token", devSignInUrl: "/console/dev-sign-in" },
};

/** Relative asset paths: the page works at /console/ behind the front door and from any folder. */
const indexHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Groundcrew console</title>
<link rel="stylesheet" href="app.css">
<script type="module" src="app.js"></script>
</head>
<body><noscript>The Groundcrew console needs JavaScript.</noscript></body>
</html>
`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const outDir = process.argv[2] ?? join(here, "..", ".local", "console");
  const { sizes } = await buildConsole(outDir);
  console.log(`console built into ${outDir}:`, sizes);
}
