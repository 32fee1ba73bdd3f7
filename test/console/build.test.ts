import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildConsole } from "../../console/build.js";

describe("buildConsole", () => {
  it("writes index.html, one JS and one CSS file, and the local config.json", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "console-")), "out");
    const { sizes } = await buildConsole(dir);
    const html = readFileSync(join(dir, "index.html"), "utf8");
    expect(html).toContain('<script type="module" src="app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="app.css">');
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8"))).toEqual({
      apiBaseUrl: "/api",
      signIn: { kind: "token", devSignInUrl: "/console/dev-sign-in" },
    });
    // Small is a feature: the whole console stays under 60 KB of JavaScript before compression.
    expect(sizes["app.js"]).toBeLessThan(60_000);
    expect(sizes["app.css"]).toBeLessThan(10_000);
  });

  it("writes the configuration it is given, or none for a deploy that writes its own", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "console-")), "out");
    const config = { apiBaseUrl: "/api", signIn: { kind: "token" as const, devSignInUrl: "/console/dev-token" } };
    await buildConsole(dir, { config });
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8"))).toEqual(config);
    await buildConsole(dir, { config: false });
    expect(() => readFileSync(join(dir, "config.json"))).toThrow(/ENOENT/);
  });
});
