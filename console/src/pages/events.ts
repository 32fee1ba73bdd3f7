import { field, h, show } from "../dom.js";
import type { Page } from "../page.js";
import { badge, heading, json, table, when } from "../ui.js";

/** The event log, newest first, optionally one topic (`#/events?topic=server.maintenance`). */
export const eventsPage: Page = async (ctx) => {
  const topic = h("input", {
    name: "topic",
    value: ctx.params.get("topic") ?? "",
    placeholder: "e.g. server.maintenance",
  });
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter events" },
    field("Topic", topic),
    h("button", { type: "submit" }, "Filter"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = topic.value.trim() ? `#/events?topic=${encodeURIComponent(topic.value.trim())}` : "#/events";
  });
  const list = h("div", { "aria-live": "polite" });
  show(ctx.root, heading("Events"), form, list);
  let seen = "";
  const draw = async () => {
    const events = await ctx.api.events({ topic: ctx.params.get("topic") ?? undefined, limit: 100 });
    const signature = events.map((e) => e.id + e.updatedAt).join();
    if (!ctx.current() || signature === seen) return;
    seen = signature;
    show(
      list,
      table(
        "Events, newest first",
        ["when", "topic", "status", "description", "details"],
        events.map((e) => [
          when(e.createdAt),
          e.topic,
          badge(e.status),
          e.description,
          Object.keys(e.payload).length ? h("details", {}, h("summary", {}, "payload"), json(e.payload)) : "—",
        ]),
        "no events.",
      ),
    );
  };
  await draw();
  ctx.every(5_000, draw);
};
