/**
 * The stack outputs that give a queue's URLs: "long-reports" → QueueLongReportsUrl and
 * QueueLongReportsDeadLetterUrl. Infra writes them; the local test bed reads them to start runners.
 */
export function queueOutputKeys(name: string): { url: string; deadLetterUrl: string } {
  const key = name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
  return { url: `Queue${key}Url`, deadLetterUrl: `Queue${key}DeadLetterUrl` };
}
