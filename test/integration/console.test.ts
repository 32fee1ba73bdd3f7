import { mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConsole } from "../../console/build.js";
import { ensureChromium } from "../../localstack/ensure-chromium.js";
import { localDir } from "../../localstack/env.js";
import { outputs } from "./outputs.js";
import { asUser, eventually } from "./session.js";

/** Screenshots of each page, kept after the run (the README shows the overview). */
const artifacts = join(localDir, "artifacts", "console");

/**
 * The operator console in a real browser (Debian's Chromium driven by playwright-core) against the
 * deployed local stack, through the front door when local:up started one, else through a small
 * same-origin server of this file's own (console files + /api proxied to the API).
 */
describe("the operator console in a browser", () => {
  let browser: Browser;
  let page: Page;
  let base: string;
  let ownServer: Server | undefined;
  let admin: Awaited<ReturnType<typeof asUser>>;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    admin = await asUser("console-operator", { admin: true });
    const door = (outputs() as { frontDoorUrl?: string }).frontDoorUrl;
    if (door) base = door;
    else ({ base, server: ownServer } = await serveConsole(outputs().apiUrl));
    browser = await chromium.launch({ executablePath: ensureChromium(), args: ["--no-sandbox"] });
    // A viewer far from UTC, so "your time" and the schedule's zone visibly differ.
    const context = await browser.newContext({
      timezoneId: "America/New_York",
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (ownServer ? ownServer.close(() => resolve()) : resolve()));
  });

  /**
   * Saves the page's screenshot, and checks on the way that every control on it has a name a screen
   * reader can say (a label, aria-label or text): the console's "labelled for screen readers" promise.
   */
  const shot = async (name: string) => {
    await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
    const unnamed = await page.evaluate<
      string[]
    >(`[...document.querySelectorAll("button, input, select, textarea, a[href]")]
      .filter((el) => !(el.labels?.length || el.getAttribute("aria-label") || el.textContent.trim()))
      .map((el) => el.outerHTML.slice(0, 120))`);
    expect(unnamed, `controls without an accessible name on ${name}`).toEqual([]);
  };
  const go = async (hash: string, heading: string) => {
    await page.goto(`${base}/console/${hash}`);
    await page.getByRole("heading", { level: 1, name: heading }).waitFor();
  };
  const status = () => page.locator("#status");
  /** playwright-core has no test matchers: poll what the page shows until it matches (vitest's expect.poll). */
  const text = (locator: ReturnType<Page["locator"]>, timeout = 20_000) =>
    expect.poll(async () => (await locator.textContent())?.trim(), { timeout, interval: 250 });

  it("signs in with a token and shows the overview", async () => {
    await page.goto(`${base}/console/`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await shot("sign-in");
    // From the keyboard alone: the token field has the focus, Tab reaches "Sign in", Enter presses it.
    await page.keyboard.insertText(admin.token);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    await page.getByText("Signed in as console-operator").waitFor();
    await page.getByRole("table", { name: "Queues" }).getByRole("link", { name: "default" }).waitFor();
    await page.getByRole("table", { name: "Next scheduled runs" }).waitFor();
    await shot("overview");
  });

  it("shows a task enqueued through the API", async () => {
    const { body } = await admin.post("/tasks", {
      name: "diagnostics.echo",
      payload: { message: "from the console test" },
    });
    const id = body.id as string;
    await go("#/tasks?name=diagnostics.echo", "Tasks");
    // The list refreshes itself every 5 s; the task is there at once or on the next refresh.
    await page.getByRole("link", { name: `Task diagnostics.echo ${id}` }).waitFor();
    await shot("tasks");
    await page.getByRole("link", { name: `Task diagnostics.echo ${id}` }).click();
    await page.getByRole("heading", { level: 1, name: "Task" }).waitFor();
    await page.getByText("from the console test").first().waitFor();
  });

  it("retries a failed task", async () => {
    // Fails each of its 3 attempts (1-10 s apart), then stays failed.
    const { body } = await admin.post("/tasks", {
      name: "diagnostics.echo",
      payload: { message: "fail", failTimes: 3 },
    });
    const id = body.id as string;
    await eventually(
      `task ${id} to fail`,
      async () => ((await admin.get(`/tasks/${id}`)).body.status === "failed" ? true : undefined),
      120_000,
    );
    await go(`#/tasks/${id}`, "Task");
    await text(page.locator(".facts .badge")).toBe("failed");
    expect(await page.getByRole("button", { name: "Cancel" }).isDisabled()).toBe(true);
    await shot("task-detail");
    await page.getByRole("button", { name: "Retry" }).click();
    await text(status()).toBe(`Task ${id} queued again`);
    const after = (await admin.get(`/tasks/${id}`)).body;
    expect(after.status).not.toBe("failed");
    await text(page.locator(".facts .badge")).not.toBe("failed");
  });

  it("switches a schedule off, and refuses a bad cron before sending it", async () => {
    const name = "reports.daily-digest";
    try {
      await go("#/schedules", "Schedules");
      const card = page.locator(`section[data-schedule="${name}"]`);
      await card.getByRole("switch", { name: "Enabled" }).uncheck();
      await text(status()).toBe(`${name} switched off`);
      const listed = (await admin.get("/schedules")).body;
      const schedules = (listed.items ?? listed.schedules) as { name: string; enabled: boolean }[];
      expect(schedules.find((s) => s.name === name)?.enabled).toBe(false);
      await card.getByText("— (off)").waitFor();

      await card.getByLabel("Cron (5 fields)").fill("@daily");
      await text(card.getByRole("alert")).toMatch(/^Nicknames such as @daily are not accepted/);
      await card.getByLabel("Cron (5 fields)").fill("0 6 * * 1-5");
      await card.getByLabel("Time zone").fill("utc");
      await text(card.getByRole("alert")).toBe("Write it as UTC");
      await shot("schedules");
    } finally {
      await admin.delete(`/schedules/${name}/override`);
    }
  });

  it("starts maintenance and follows it to finished", async () => {
    await eventually(
      "no maintenance run in progress",
      async () => {
        const { body } = await admin.get("/events?topic=server.maintenance&limit=20");
        const events = (body.items ?? body.events) as { status: string }[];
        return events.some((e) => e.status === "in_progress") ? undefined : true;
      },
      120_000,
    );
    await go("#/maintenance", "Maintenance");
    await page.getByRole("switch").first().waitFor();
    // Every text the live status line shows, recorded in the page as it changes.
    // (A string: this file is type-checked without the DOM library.)
    await page.evaluate(`(() => {
      const seen = (window.seen = []);
      new MutationObserver(() => {
        const line = document.querySelector(".run-status")?.textContent ?? "";
        if (line && seen.at(-1) !== line) seen.push(line);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    await page.getByRole("button", { name: "Start a maintenance run" }).click();
    await text(status()).toBe("Maintenance run started");
    const run = page.locator(".run-status");
    // Live: the page follows the run's event; each step's name passes through the status line.
    await expect.poll(() => run.getAttribute("data-status"), { timeout: 120_000, interval: 250 }).toBe("finished");
    await text(run).toBe("Finished: all 5 steps done");
    const seen = await page.evaluate<string[]>("window.seen");
    // The run was shown while it ran (starting, or a step "n of 5"), not only once it had ended.
    expect(
      seen.some((line) => /^(Starting \(5 steps\)|Running [a-z-]+ \(step [1-5] of 5\))$/.test(line)),
      seen.join(" | "),
    ).toBe(true);
    expect(seen.at(-1)).toBe("Finished: all 5 steps done");
    await shot("maintenance");
  });

  it("asks before purging dead letters, and shows the queues and the events", async () => {
    await go("#/queues", "Queues");
    page.once("dialog", (dialog) => void dialog.dismiss());
    await page.getByRole("button", { name: "Purge the dead letters of default" }).click();
    await text(status()).toBe("Purge cancelled");
    await shot("queues");
    await go("#/events?topic=server.maintenance", "Events");
    await page.getByRole("table", { name: "Events, newest first" }).waitFor();
    await shot("events");
  });

  it("signs in with the development button of the local front door", async (context) => {
    // Only the local front door answers POST /console/dev-sign-in; this file's fallback server does not.
    if (ownServer) context.skip();
    await page.goto(`${base}/console/#/sign-in`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.getByLabel("User name").fill("dev-operator");
    await expect.poll(() => page.getByLabel("Admin").isChecked()).toBe(true);
    await page.getByRole("button", { name: "Development sign-in (local stack only)" }).click();
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    await page.getByText("Signed in as dev-operator").waitFor();
    // An admin token: the admin-only overview answered, so the queues are listed.
    await page.getByRole("table", { name: "Queues" }).getByRole("link", { name: "default" }).waitFor();
  });
});

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
};

/** The front door's job in miniature, for a stack without one: /console/* from a fresh build, /api/* proxied. */
async function serveConsole(apiUrl: string): Promise<{ base: string; server: Server }> {
  const dir = join(localDir, "console-test");
  await buildConsole(dir);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/api/")) {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const headers: Record<string, string> = {};
        for (const name of ["authorization", "content-type", "accept"])
          if (typeof req.headers[name] === "string") headers[name] = req.headers[name];
        fetch(`${apiUrl}${url.pathname.slice(4)}${url.search}`, {
          method: req.method,
          headers,
          body: chunks.length ? Buffer.concat(chunks) : undefined,
        })
          .then(async (answer) => {
            res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
            res.end(Buffer.from(await answer.arrayBuffer()));
          })
          .catch((error: unknown) => res.writeHead(502).end(String(error)));
      });
      return;
    }
    const rest = url.pathname.replace(/^\/console\/?/, "") || "index.html";
    const file = normalize(join(dir, rest));
    try {
      if (!file.startsWith(dir)) throw new Error("outside");
      res
        .writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" })
        .end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the console test server has no port");
  return { base: `http://127.0.0.1:${address.port}`, server };
}
