import { ApiProblem } from "./api.js";
import { h, type Child } from "./dom.js";
import { describeProblem } from "./problem.js";
import { formatInstant, relativeTo, viewerZone } from "./time.js";

/** The one live region: every action's outcome is announced to screen readers and shown. */
export function announce(message: string, kind: "ok" | "error" = "ok"): void {
  const status = document.getElementById("status");
  if (!status) return;
  status.className = kind;
  status.textContent = message;
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiProblem) return describeProblem(error.problem);
  return error instanceof Error ? error.message : String(error);
}

/** Runs an action from a button: disabled while it runs, its outcome announced. */
export async function act(button: HTMLButtonElement, work: () => Promise<string | undefined>): Promise<void> {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    const message = await work();
    if (message) announce(message);
  } catch (error) {
    announce(messageOf(error), "error");
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

export function button(
  label: string,
  onClick: (b: HTMLButtonElement) => Promise<string | undefined>,
  attrs: Record<string, string | boolean> = {},
): HTMLButtonElement {
  const b: HTMLButtonElement = h("button", { type: "button", ...attrs }, label);
  b.addEventListener("click", () => void act(b, () => onClick(b)));
  return b;
}

/** An instant in the viewer's zone, with its distance from now; the title gives UTC. */
export function when(iso: string | null | undefined, zone?: string): HTMLElement | string {
  if (!iso) return "—";
  const label = `${formatInstant(iso, zone ?? viewerZone())} (${relativeTo(iso)})`;
  return h("time", { datetime: iso, title: formatInstant(iso, "UTC") }, label);
}

export function table(caption: string, headings: string[], rows: Child[][], empty = "Nothing here."): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, `${caption}: ${empty}`);
  return h(
    "table",
    {},
    h("caption", {}, caption),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        headings.map((t) => h("th", { scope: "col" }, t)),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((cells) =>
        h(
          "tr",
          {},
          cells.map((c) => h("td", {}, c)),
        ),
      ),
    ),
  );
}

export function badge(status: string): HTMLElement {
  return h("span", { class: `badge s-${status}` }, status);
}

export function json(value: unknown): HTMLElement {
  return h("pre", { tabindex: 0 }, value === undefined || value === null ? "—" : JSON.stringify(value, null, 2));
}

export function heading(text: string, ...extra: Child[]): HTMLElement {
  return h("div", { class: "page-head" }, h("h1", {}, text), ...extra);
}
