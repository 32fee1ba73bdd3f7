import type { AppEvent } from "../api.js";
import { h, show } from "../dom.js";
import type { Page } from "../page.js";
import { runProgress } from "../progress.js";
import { announce, badge, button, heading, messageOf, when } from "../ui.js";

/** Step switches, a start button, and the current (or last) run followed live from its event. */
export const maintenancePage: Page = async (ctx) => {
  const switches = h("fieldset", { class: "steps" }, h("legend", {}, "Steps, in the order they run"));
  const run = h("section", { class: "run", "aria-labelledby": "run-title" });
  const start = button("Start a maintenance run", async () => {
    const started = await ctx.api.startMaintenance();
    watched = started.eventId;
    await follow();
    return "Maintenance run started";
  });
  show(ctx.root, heading("Maintenance"), switches, h("div", { class: "actions" }, start), run);

  const steps = await ctx.api.steps();
  const order = [...steps].sort((a, b) => a.order - b.order);
  const names = order.map((s) => s.name);
  switches.append(
    ...order.map((step) => {
      const box = h("input", { type: "checkbox", role: "switch", checked: step.enabled, name: step.name });
      box.addEventListener("change", () => {
        box.disabled = true;
        ctx.api
          .setStep(step.name, box.checked)
          .then(() => announce(`Step ${step.name} switched ${box.checked ? "on" : "off"}`))
          .catch((error: unknown) => {
            box.checked = !box.checked;
            announce(messageOf(error), "error");
          })
          .finally(() => (box.disabled = false));
      });
      return h(
        "label",
        { class: "switch" },
        box,
        ` ${step.order}. ${step.name}`,
        h("small", {}, ` — ${step.description}`),
      );
    }),
  );

  let watched: string | undefined;
  let seen = "";
  const follow = async () => {
    const events = await ctx.api.events({ topic: "server.maintenance", limit: 20 });
    if (!ctx.current()) return;
    const event: AppEvent | undefined = (watched && events.find((e) => e.id === watched)) || events[0];
    const signature = event ? `${event.id}${event.status}${event.description}` : "none";
    if (signature === seen) return;
    seen = signature;
    if (!event) return show(run, h("h2", { id: "run-title" }, "Runs"), h("p", {}, "No maintenance run yet."));
    const p = runProgress(event, names);
    start.disabled = !p.finished;
    const results = Array.isArray(event.payload.steps)
      ? (event.payload.steps as { step: string; status: string }[])
      : [];
    show(
      run,
      h("h2", { id: "run-title" }, p.finished ? "Last run" : "Current run"),
      h(
        "p",
        {},
        badge(event.status),
        " started ",
        when(event.createdAt),
        p.finished ? [" — ended ", when(event.updatedAt)] : null,
      ),
      h("progress", { max: p.total, value: p.done, "aria-label": "Maintenance progress" }),
      // The live region: each step change is read out as it happens.
      h("p", { class: "run-status", role: "status", "aria-live": "polite", "data-status": event.status }, p.label),
      results.length
        ? h(
            "ul",
            {},
            results.map((r) => h("li", {}, `${r.step}: `, badge(r.status))),
          )
        : null,
    );
  };
  await follow();
  ctx.every(1_000, follow);
};
