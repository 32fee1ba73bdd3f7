import { h, show } from "../dom.js";
import type { Page } from "../page.js";
import { formatDuration, formatInstant } from "../time.js";
import { badge, heading, table, when } from "../ui.js";

/** Queues, the last hour's tasks, the next scheduled runs and the last maintenance run, refreshed every 5 s. */
export const overviewPage: Page = async (ctx) => {
  const body = h("div", { "aria-live": "polite", "aria-busy": "true" });
  show(ctx.root, heading("Overview"), body);
  let seen = "";
  const draw = async () => {
    const o = await ctx.api.overview();
    const signature = JSON.stringify({ ...o, generatedAt: "" });
    // Redraw only on change, so a refresh never takes the keyboard focus from a link.
    if (!ctx.current() || signature === seen) return;
    seen = signature;
    const counts = Object.entries(o.tasksLastHour);
    const m = o.lastMaintenance;
    show(
      body,
      table(
        "Queues",
        ["queue", "waiting", "in flight", "delayed", "dead letters", "oldest waiting"],
        o.queues.map((q) => [
          h("a", { href: "#/queues" }, q.name),
          q.depth,
          q.inFlight,
          q.delayed,
          q.deadLetterDepth > 0 ? h("strong", { class: "warn" }, q.deadLetterDepth) : 0,
          formatDuration(q.oldestAgeSeconds),
        ]),
      ),
      table(
        "Tasks created in the last hour, by status",
        ["status", "tasks"],
        counts.map(([status, n]) => [h("a", { href: `#/tasks?status=${status}` }, badge(status)), n]),
        "no tasks.",
      ),
      table(
        "Next scheduled runs",
        ["schedule", "cron", "next run (your time)", "next run (schedule's zone)"],
        o.nextRuns.map((r) => [
          r.name,
          h("code", {}, r.cron),
          when(r.nextRunAt),
          `${formatInstant(r.nextRunAt, r.timezone)}${r.timezone === "UTC" ? "" : ` (${r.timezone})`}`,
        ]),
        "none enabled.",
      ),
      h("h2", {}, "Last maintenance run"),
      m
        ? h(
            "p",
            { class: "maintenance-summary" },
            badge(m.status),
            " started ",
            when(m.createdAt),
            m.status === "in_progress" ? ` — now: ${m.description}` : [" — ended ", when(m.updatedAt)],
            " ",
            h("a", { href: "#/maintenance" }, "details"),
          )
        : h("p", {}, "No maintenance run yet."),
    );
    body.setAttribute("aria-busy", "false");
  };
  await draw();
  ctx.every(5_000, draw);
};
