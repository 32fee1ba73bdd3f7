import { createConsoleApi } from "./api.js";
import { localConfig, parseConfig, type ConsoleConfig } from "./config.js";
import { knownZones } from "./cron.js";
import { h, show } from "./dom.js";
import type { Page, PageContext } from "./page.js";
import { eventsPage } from "./pages/events.js";
import { maintenancePage } from "./pages/maintenance.js";
import { overviewPage } from "./pages/overview.js";
import { queuesPage } from "./pages/queues.js";
import { schedulesPage } from "./pages/schedules.js";
import { tasksPage } from "./pages/tasks.js";
import { claimsOf } from "./claims.js";
import { beginOidcSignIn, completeOidcSignIn, currentToken, saveToken, signOut } from "./session.js";
import { viewerZone } from "./time.js";
import { announce, messageOf } from "./ui.js";

const pages: Record<string, { title: string; page: Page }> = {
  overview: { title: "Overview", page: overviewPage },
  tasks: { title: "Tasks", page: tasksPage },
  queues: { title: "Queues", page: queuesPage },
  schedules: { title: "Schedules", page: schedulesPage },
  maintenance: { title: "Maintenance", page: maintenancePage },
  events: { title: "Events", page: eventsPage },
};

async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch("config.json", { cache: "no-store" });
  // Without a config.json the page assumes the local front door: API at /api, a pasted token.
  return response.ok ? parseConfig(await response.json()) : localConfig;
}

function shell(): { main: HTMLElement; nav: HTMLElement; who: HTMLElement } {
  const nav = h(
    "nav",
    { "aria-label": "Console" },
    h(
      "ul",
      {},
      Object.entries(pages).map(([name, p]) => h("li", {}, h("a", { href: `#/${name}`, "data-page": name }, p.title))),
    ),
  );
  const who = h("div", { class: "who" });
  const main = h("main", { id: "main", tabindex: -1 });
  show(
    document.body,
    h(
      "a",
      { class: "skip", href: "#main", onclick: (e: Event) => (e.preventDefault(), main.focus()) },
      "Skip to content",
    ),
    h("header", {}, h("strong", { class: "brand" }, "Groundcrew"), nav, who),
    main,
    h("div", { id: "status", role: "status", "aria-live": "polite" }),
    h(
      "datalist",
      { id: "zones" },
      knownZones().map((z) => h("option", { value: z })),
    ),
    h("footer", {}, `Times in your zone, ${viewerZone()}; hover a time for UTC.`),
  );
  return { main, nav, who };
}

function signInPage(config: ConsoleConfig, root: HTMLElement, done: () => void): void {
  if (config.signIn.kind === "oidc") {
    const oidc = config.signIn;
    const go = h("button", { type: "button" }, "Sign in");
    go.addEventListener(
      "click",
      () => void beginOidcSignIn(oidc).catch((e: unknown) => announce(messageOf(e), "error")),
    );
    return show(
      root,
      h("h1", {}, "Sign in"),
      h("p", {}, "You will be sent to your organisation's sign-in page and back."),
      go,
    );
  }
  const token = h("textarea", { name: "token", rows: 4, spellcheck: "false", autocomplete: "off", required: true });
  token.id = "token";
  const form = h(
    "form",
    { class: "sign-in", "aria-label": "Sign in with a token" },
    h("label", { for: "token" }, "Bearer token"),
    token,
    h("small", {}, "Make one with ", h("code", {}, "npm run token -- --sub you --admin"), " and paste its last line."),
    h("button", { type: "submit" }, "Sign in"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const claims = claimsOf(token.value.trim());
    if (!claims) return announce("That is not a token (three dot-separated parts)", "error");
    if (!claims.roles.includes("admin")) announce("This token has no admin role: most pages will answer 403", "error");
    saveToken(token.value);
    done();
  });
  const devUrl = config.signIn.devSignInUrl;
  show(root, h("h1", {}, "Sign in"), form, devUrl ? devSignInForm(devUrl, done) : null);
  token.focus();
}

/**
 * The local stack's development sign-in: the local front door mints a token for the name given
 * (and the admin role when ticked). Only the local config.json names its URL.
 */
function devSignInForm(url: string, done: () => void): HTMLElement {
  const sub = h("input", { name: "sub", value: "operator", required: true, autocomplete: "username" });
  sub.id = "dev-sub";
  const admin = h("input", { type: "checkbox", name: "admin", checked: true });
  admin.id = "dev-admin";
  const form = h(
    "form",
    { class: "sign-in", "aria-label": "Development sign-in" },
    h("label", { for: "dev-sub" }, "User name"),
    sub,
    h("label", {}, admin, " Admin"),
    h("button", { type: "submit" }, "Development sign-in (local stack only)"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void fetch(url, { method: "POST", body: new URLSearchParams({ sub: sub.value, admin: String(admin.checked) }) })
      .then(async (r) => {
        if (!r.ok) throw new Error(`Development sign-in answered ${r.status}: ${(await r.text()).trim()}`);
        saveToken(((await r.json()) as { token: string }).token);
        done();
      })
      .catch((e: unknown) => announce(messageOf(e), "error"));
  });
  return form;
}

async function boot(): Promise<void> {
  const { main, nav, who } = shell();
  let config: ConsoleConfig;
  try {
    config = await loadConfig();
    if (config.signIn.kind === "oidc") await completeOidcSignIn(config.signIn);
  } catch (error) {
    show(main, h("h1", {}, "The console cannot start"), h("p", { role: "alert" }, messageOf(error)));
    return;
  }
  const api = createConsoleApi({
    baseUrl: config.apiBaseUrl,
    token: currentToken,
    onUnauthorized: () => {
      signOut();
      location.hash = "#/sign-in";
    },
  });

  let generation = 0;
  let timers: number[] = [];
  const route = async () => {
    timers.forEach((t) => clearInterval(t));
    timers = [];
    const mine = ++generation;
    const [path = "", search = ""] = location.hash.replace(/^#\/?/, "").split("?");
    const [name = "overview", ...rest] = path.split("/").filter(Boolean).map(decodeURIComponent);
    const token = currentToken();
    const claims = token ? claimsOf(token) : undefined;
    show(
      who,
      claims
        ? [
            h("span", {}, `Signed in as ${claims.sub ?? "?"}`),
            h("button", { type: "button", onclick: () => (signOut(), (location.hash = "#/sign-in")) }, "Sign out"),
          ]
        : null,
    );
    for (const link of nav.querySelectorAll("a")) link.toggleAttribute("aria-current", link.dataset.page === name);
    if (!token || name === "sign-in") {
      document.title = "Sign in · Groundcrew";
      return signInPage(config, main, () => (location.hash = "#/overview"));
    }
    const entry = pages[name] ?? pages.overview!;
    document.title = `${entry.title} · Groundcrew`;
    const ctx: PageContext = {
      api,
      config,
      root: main,
      path: rest,
      params: new URLSearchParams(search),
      current: () => mine === generation,
      every: (ms, work) => {
        timers.push(window.setInterval(() => void work().catch((e: unknown) => announce(messageOf(e), "error")), ms));
      },
    };
    main.setAttribute("aria-busy", "true");
    try {
      await entry.page(ctx);
    } catch (error) {
      if (ctx.current()) announce(messageOf(error), "error");
    } finally {
      main.setAttribute("aria-busy", "false");
    }
  };
  window.addEventListener("hashchange", () => {
    // Focus moves to the new page (where a screen reader starts reading), unless the page chose a field itself.
    void route().then(() => {
      if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
    });
  });
  await route();
}

void boot();
