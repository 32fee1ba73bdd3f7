import type { Task } from "../api.js";
import { field, h, show } from "../dom.js";
import type { Page, PageContext } from "../page.js";
import { badge, button, heading, json, table, when } from "../ui.js";

const statuses = ["queued", "scheduled", "running", "retrying", "succeeded", "failed", "cancelled"];
const retryable = new Set(["failed"]);
const cancellable = new Set(["queued", "scheduled", "retrying"]);

/** `#/tasks?status=&name=&user=`: a filtered list, newest first; `#/tasks/<id>`: one task. */
export const tasksPage: Page = (ctx) => (ctx.path[0] ? taskDetail(ctx, ctx.path[0]) : taskList(ctx));

async function taskList(ctx: PageContext): Promise<void> {
  const p = ctx.params;
  const status = h(
    "select",
    { name: "status" },
    h("option", { value: "" }, "any"),
    statuses.map((s) => h("option", { value: s, selected: p.get("status") === s }, s)),
  );
  const name = h("input", {
    name: "name",
    value: p.get("name") ?? "",
    placeholder: "e.g. diagnostics.echo",
    autocomplete: "off",
  });
  const user = h("input", { name: "user", value: p.get("user") ?? "", placeholder: "e.g. alice", autocomplete: "off" });
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter tasks" },
    field("Status", status),
    field("Task name", name),
    field("Created by", user),
    h("button", { type: "submit" }, "Filter"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    for (const [key, control] of [
      ["status", status],
      ["name", name],
      ["user", user],
    ] as const)
      if (control.value.trim()) q.set(key, control.value.trim());
    location.hash = `#/tasks${q.size ? `?${q.toString()}` : ""}`;
  });
  const list = h("div", { "aria-live": "polite" });
  show(ctx.root, heading("Tasks"), form, list);

  const filter = {
    status: p.get("status") ?? undefined,
    name: p.get("name") ?? undefined,
    user: p.get("user") ?? undefined,
  };
  const rowsOf = (tasks: Task[]) =>
    tasks
      // Filtered here too, so an API that ignores `createdBy` still shows only that user's tasks.
      .filter((t) => !filter.user || t.createdBy === filter.user)
      .map((t) => [
        h("a", { href: `#/tasks/${t.id}`, "aria-label": `Task ${t.name} ${t.id}` }, h("code", {}, t.id.slice(0, 8))),
        t.name,
        t.queue,
        badge(t.status),
        `${t.attempts}/${t.maxAttempts}`,
        t.createdBy ?? "—",
        when(t.createdAt),
      ]);
  let seen = "";
  const draw = async () => {
    const page = await ctx.api.tasks(filter);
    const signature = page.items.map((t) => t.id + t.updatedAt).join();
    if (!ctx.current() || signature === seen) return;
    seen = signature;
    const more = page.nextCursor;
    const tbl = table(
      "Tasks, newest first",
      ["id", "name", "queue", "status", "attempts", "created by", "created"],
      rowsOf(page.items),
      "no task matches.",
    );
    show(
      list,
      tbl,
      more
        ? button("Load more", async (b) => {
            const next = await ctx.api.tasks({ ...filter, cursor: more });
            tbl.querySelector("tbody")?.append(
              ...rowsOf(next.items).map((cells) =>
                h(
                  "tr",
                  {},
                  cells.map((c) => h("td", {}, c)),
                ),
              ),
            );
            if (!next.nextCursor) b.remove();
            return undefined;
          })
        : null,
    );
  };
  await draw();
  // A fresh first page every 5 s shows new tasks arriving; "Load more" pages stay as they are until then.
  ctx.every(5_000, draw);
}

async function taskDetail(ctx: PageContext, id: string): Promise<void> {
  const body = h("div", { "aria-live": "polite" });
  show(ctx.root, heading("Task", h("a", { href: "#/tasks" }, "All tasks")), body);
  let seen = "";
  const draw = async () => {
    const t = await ctx.api.task(id);
    // Redraw only on change, so a refresh never takes the keyboard focus from a button.
    if (!ctx.current() || t.updatedAt + t.status === seen) return;
    seen = t.updatedAt + t.status;
    const progress =
      t.progress === null
        ? null
        : h("progress", { max: 100, value: t.progress, "aria-label": `Progress ${t.progress}%` });
    show(
      body,
      h(
        "dl",
        { class: "facts" },
        fact("Id", h("code", {}, t.id)),
        fact("Name", t.name),
        fact("Queue", t.queue),
        fact("Status", badge(t.status)),
        fact("Attempts", `${t.attempts} of ${t.maxAttempts}`),
        fact("Progress", progress ? [progress, ` ${t.progressNote ?? ""}`] : "—"),
        fact("Created by", t.createdBy ?? "—"),
        fact("Created", when(t.createdAt)),
        fact("Run at", when(t.runAt)),
        fact("Started", when(t.startedAt)),
        fact("Finished", when(t.finishedAt)),
        fact("Dead-lettered", when(t.deadLetteredAt)),
      ),
      h(
        "div",
        { class: "actions" },
        button(
          "Retry",
          async () => {
            await ctx.api.retryTask(t.id);
            seen = "";
            await draw();
            return `Task ${t.id} queued again`;
          },
          { disabled: !retryable.has(t.status) },
        ),
        button(
          "Cancel",
          async () => {
            await ctx.api.cancelTask(t.id);
            seen = "";
            await draw();
            return `Task ${t.id} cancelled`;
          },
          { disabled: !cancellable.has(t.status) },
        ),
      ),
      h("h2", {}, "Payload"),
      json(t.payload),
      h("h2", {}, "Result"),
      json(t.result),
      h("h2", {}, "Error"),
      t.error ? h("pre", { class: "error-text", tabindex: 0 }, t.error) : h("p", {}, "—"),
    );
  };
  await draw();
  ctx.every(3_000, draw);
}

function fact(term: string, value: Parameters<typeof h>[2]) {
  return [h("dt", {}, term), h("dd", {}, value)];
}
