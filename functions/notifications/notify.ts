import type { Logger } from "@aws-lambda-powertools/logger";
import * as z from "zod";
import type { Database } from "../core/db/database.js";
import type { Email, Mailer } from "./mailer.js";
import { ProjectRepository, type Item, type Project } from "./repository.js";

/** What happened to an item: the payload of a `notifications.send` task, and of an inline send. */
export const itemChangeSchema = z.object({
  projectId: z.uuid(),
  itemId: z.uuid(),
  change: z.enum(["created", "updated"]),
  /** Who made the change (the API caller's subject). */
  actor: z.string().min(1).max(200),
});
export type ItemChange = z.output<typeof itemChangeSchema>;

export interface NotifyReport {
  recipients: number;
  sent: number;
  failed: { to: string; error: string }[];
  durationMs: number;
}

/** SES's default sending rate is 14 messages a second: a few at a time stays below it for most accounts. */
const SENDS_AT_ONCE = 8;

/** One email per subscriber, naming the project, the item and the change. */
export function render(project: Project, item: Item, change: ItemChange, to: string): Email {
  const verb = change.change === "created" ? "created" : `updated (version ${item.version})`;
  return {
    to,
    // A header is one line: a name or title with a line break in it must not split the subject.
    subject: oneLine(`[${project.name}] ${item.title} was ${change.change}`),
    text: [
      `${change.actor} ${verb} "${item.title}" in ${project.name}.`,
      "",
      item.body,
      "",
      `Item ${item.id}. You get this email because you subscribed to ${project.name}.`,
    ].join("\n"),
  };
}

/**
 * Emails every subscriber of the item's project about the change, and logs "Start notification" and
 * "End notification" with its duration. Every recipient is tried; the failures are returned, not
 * thrown, so the caller decides: the task throws to be retried, an inline request reports them.
 * The email shows the item as it is now: a task that runs after a second change tells the latest.
 */
export async function notify(
  db: Database,
  mailer: Mailer,
  change: ItemChange,
  logger: Pick<Logger, "info">,
): Promise<NotifyReport> {
  const started = performance.now();
  logger.info("Start notification", { ...change });
  const repository = new ProjectRepository(db);
  const [project, item, subscribers] = await Promise.all([
    repository.project(change.projectId),
    repository.item(change.projectId, change.itemId),
    repository.subscribers(change.projectId),
  ]);
  const emails = project && item ? subscribers.map((s) => render(project, item, change, s.email)) : [];
  const failed: NotifyReport["failed"] = [];
  let sent = 0;
  for (let start = 0; start < emails.length; start += SENDS_AT_ONCE) {
    const results = await Promise.allSettled(emails.slice(start, start + SENDS_AT_ONCE).map((e) => mailer.send(e)));
    results.forEach((result, index) => {
      if (result.status === "fulfilled") sent++;
      else failed.push({ to: emails[start + index]?.to ?? "", error: errorText(result.reason) });
    });
  }
  const report = { recipients: emails.length, sent, failed, durationMs: Math.round(performance.now() - started) };
  logger.info("End notification", {
    ...change,
    durationMs: report.durationMs,
    recipients: report.recipients,
    sent,
    failed: failed.length,
    ...(project && item ? {} : { skipped: "the item or its project no longer exists" }),
  });
  return report;
}

const oneLine = (text: string) => text.replace(/\s+/g, " ");

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
