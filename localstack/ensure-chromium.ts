import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Where Debian's `chromium` package puts the browser the console's browser tests drive (playwright-core). */
export const chromiumPath = process.env.GROUNDCREW_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Makes sure the browser for the console tests is installed: Debian's `chromium` package, installed
 * with apt-get when it is missing and we run as root (CI). Anyone else gets one line saying what
 * to run; nothing is downloaded behind their back. Returns the browser's path.
 */
export function ensureChromium(log: (line: string) => void = console.log): string {
  if (existsSync(chromiumPath)) return chromiumPath;
  const root = process.getuid?.() === 0;
  const apt = spawnSync("sh", ["-c", "command -v apt-get"], { encoding: "utf8" }).status === 0;
  if (!root || !apt) {
    throw new Error(
      `The console's browser tests need Chromium at ${chromiumPath}. Install it with: sudo apt-get install -y chromium ` +
        "(Debian/Ubuntu), or point GROUNDCREW_CHROMIUM at a Chromium or Chrome binary.",
    );
  }
  log("installing Chromium for the console's browser tests (apt-get install -y chromium)");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "chromium"]]) {
    const result = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed (exit ${result.status ?? "signal"})`);
  }
  if (!existsSync(chromiumPath)) throw new Error(`apt-get installed chromium, but ${chromiumPath} is still missing`);
  return chromiumPath;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log(`Chromium: ${ensureChromium()}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
