import { h, show } from "../dom.js";
import type { Page } from "../page.js";
import { formatDuration } from "../time.js";
import { button, heading, table } from "../ui.js";

/** Per queue: counters, a redrive of its dead letters, and a purge of them after a confirmation. */
export const queuesPage: Page = async (ctx) => {
  const body = h("div", { "aria-live": "polite" });
  show(ctx.root, heading("Queues"), body);
  const draw = async () => {
    const queues = await ctx.api.queues();
    if (!ctx.current()) return;
    show(
      body,
      table(
        "Queues",
        ["queue", "waiting", "in flight", "delayed", "dead letters", "oldest waiting", "actions"],
        queues.map((q) => [
          q.name,
          q.depth,
          q.inFlight,
          q.delayed,
          q.deadLetterDepth,
          formatDuration(q.oldestAgeSeconds),
          h(
            "div",
            { class: "actions" },
            button(
              "Redrive",
              async () => {
                const r = await ctx.api.redrive(q.name);
                await draw();
                return `${q.name}: ${Number(r.tasksRequeued ?? 0)} failed task(s) queued again, ${Number(r.messagesDeleted ?? 0)} dead letter(s) cleared`;
              },
              { "aria-label": `Redrive the dead letters of ${q.name}` },
            ),
            button(
              "Purge",
              async () => {
                // The one destructive action: the browser's own dialog is keyboard- and screen-reader-friendly.
                if (
                  !confirm(
                    `Delete every dead letter of the "${q.name}" queue? Their failed tasks stay failed and will not run again.`,
                  )
                )
                  return "Purge cancelled";
                await ctx.api.purgeDeadLetters(q.name);
                await draw();
                return `${q.name}: dead letters purged`;
              },
              { class: "danger", "aria-label": `Purge the dead letters of ${q.name}` },
            ),
          ),
        ]),
      ),
      h(
        "p",
        { class: "muted" },
        "Redrive runs failed, dead-lettered tasks again from attempt 1. Purge deletes the dead letters; the tasks stay failed.",
      ),
    );
  };
  await draw();
};
