import type { Schedule } from "../api.js";
import { cronProblem, zoneProblem } from "../cron.js";
import { field, h, show, uid } from "../dom.js";
import type { Page, PageContext } from "../page.js";
import { formatInstant } from "../time.js";
import { announce, badge, button, heading, messageOf, when } from "../ui.js";

/** Each schedule: on/off, cron and zone (checked as typed, then by the API), run now, back to the code's default. */
export const schedulesPage: Page = async (ctx) => {
  const body = h("div", {});
  show(ctx.root, heading("Schedules"), body);
  const draw = async () => {
    const schedules = await ctx.api.schedules();
    if (!ctx.current()) return;
    show(
      body,
      schedules.map((s) => card(ctx, s, draw)),
    );
  };
  await draw();
};

function card(ctx: PageContext, s: Schedule, redraw: () => Promise<void>): HTMLElement {
  const titleId = uid("schedule");
  const enabled = h("input", {
    type: "checkbox",
    role: "switch",
    checked: s.enabled,
    // Every card has an "Enabled" switch: its accessible name says whose.
    "aria-label": `Enabled: ${s.name}`,
  });
  enabled.addEventListener("change", () => {
    enabled.disabled = true;
    ctx.api
      .updateSchedule(s.name, { enabled: enabled.checked })
      .then(async () => {
        announce(`${s.name} switched ${enabled.checked ? "on" : "off"}`);
        await redraw();
      })
      .catch((error: unknown) => {
        enabled.checked = !enabled.checked;
        announce(messageOf(error), "error");
      })
      .finally(() => (enabled.disabled = false));
  });
  const cron = h("input", { name: "cron", value: s.cron, spellcheck: "false", autocomplete: "off" });
  const zone = h("input", {
    name: "timezone",
    value: s.timezone,
    list: "zones",
    spellcheck: "false",
    autocomplete: "off",
  });
  const problem = h("p", { class: "field-error", role: "alert" });
  const check = () => {
    const text = cronProblem(cron.value) ?? zoneProblem(zone.value.trim());
    problem.textContent = text ?? "";
    cron.setAttribute("aria-invalid", String(cronProblem(cron.value) !== undefined));
    zone.setAttribute("aria-invalid", String(zoneProblem(zone.value.trim()) !== undefined));
    return text;
  };
  cron.addEventListener("input", () => void check());
  zone.addEventListener("input", () => void check());
  const form = h(
    "form",
    { class: "schedule-edit", "aria-label": `Edit when ${s.name} runs` },
    field("Cron (5 fields)", cron, "minute hour day-of-month month day-of-week, e.g. 0 6 * * 1-5"),
    field("Time zone", zone, "IANA name, e.g. Europe/Paris"),
    h("button", { type: "submit" }, "Save"),
    problem,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (check()) return;
    const save = form.querySelector("button")!;
    save.disabled = true;
    ctx.api
      .updateSchedule(s.name, { cron: cron.value.trim(), timezone: zone.value.trim() })
      .then(async () => {
        announce(`${s.name} now runs at "${cron.value.trim()}" in ${zone.value.trim()}`);
        await redraw();
      })
      .catch((error: unknown) => {
        problem.textContent = messageOf(error);
        announce(messageOf(error), "error");
      })
      .finally(() => (save.disabled = false));
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": titleId, "data-schedule": s.name },
    h("h2", { id: titleId }, s.name, " ", s.overridden ? badge("overridden") : null),
    s.description ? h("p", { class: "muted" }, s.description) : null,
    h("label", { class: "switch" }, enabled, ` Enabled`),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Next run (your time)"),
      h("dd", {}, s.nextRunAt ? when(s.nextRunAt) : "— (off)"),
      h("dt", {}, `Next run (${s.timezone})`),
      h("dd", {}, s.nextRunAt ? formatInstant(s.nextRunAt, s.timezone) : "—"),
      h("dt", {}, "Last run"),
      h("dd", {}, when(s.lastRunAt)),
    ),
    form,
    h(
      "div",
      { class: "actions" },
      button(
        "Run now",
        async () => {
          const r = await ctx.api.runSchedule(s.name);
          return `${s.name}: started ${r.kind === "task" ? `task ${r.taskId}` : `maintenance run ${r.runId}`}`;
        },
        { "aria-label": `Run ${s.name} now` },
      ),
      button(
        "Reset to default",
        async () => {
          await ctx.api.resetSchedule(s.name);
          await redraw();
          return `${s.name} is back to the code's default`;
        },
        { disabled: !s.overridden, "aria-label": `Reset ${s.name} to the code's default` },
      ),
    ),
  );
}
