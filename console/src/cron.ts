/**
 * A first check of a schedule edit before it is sent, so the form can say what is wrong at once.
 * The API (functions/scheduler/validate.ts) stays the judge: it also refuses dates that never come
 * ("0 0 30 2 *") and patterns that cannot fire under the schedule's day matching.
 */

const fields = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  },
  { name: "day of week", min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
] as const;

type Field = (typeof fields)[number];

/** The problem with a cron expression, or undefined when it looks right. */
export function cronProblem(expression: string): string | undefined {
  const text = expression.trim();
  if (text === "") return "Give a cron expression, e.g. 0 6 * * 1-5";
  if (text.startsWith("@"))
    return `Nicknames such as ${text.split(/\s/)[0]} are not accepted: write five fields, e.g. 0 0 * * *`;
  const parts = text.split(/\s+/);
  if (parts.length !== 5)
    return `A cron has exactly five fields (minute hour day-of-month month day-of-week); this one has ${parts.length}`;
  for (const [index, part] of parts.entries()) {
    const field = fields[index]!;
    const problem = fieldProblem(part, field);
    if (problem) return `${field.name}: ${problem}`;
  }
  return undefined;
}

function fieldProblem(text: string, field: Field): string | undefined {
  for (const item of text.split(",")) {
    const [range, step, extra] = item.split("/");
    if (extra !== undefined) return `"${item}" has more than one "/"`;
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `"${step}" is not a step (a whole number from 1)`;
    if (range === "*") continue;
    const ends = (range ?? "").split("-");
    if (ends.length > 2) return `"${range}" is not a value or a range`;
    const values = ends.map((end) => valueOf(end, field));
    if (values.some((v) => v === undefined))
      return `"${range}" is not a value from ${field.min} to ${field.max}${"names" in field ? " or a name" : ""}`;
    const [from, to] = values as number[];
    if (to !== undefined && to < from!) return `the range "${range}" runs backwards`;
  }
  return undefined;
}

function valueOf(text: string, field: Field): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  if ("names" in field) {
    const index = (field.names as readonly string[]).indexOf(text.toLowerCase());
    if (index >= 0) return index + field.min;
  }
  return undefined;
}

/**
 * The problem with a time zone, or undefined: it must be a canonical IANA name the browser knows
 * ("Europe/Paris", "UTC"), since the API refuses aliases such as "utc" or "US/Eastern".
 */
export function zoneProblem(zone: string, known: readonly string[] = knownZones()): string | undefined {
  if (zone.trim() === "") return "Give a time zone, e.g. Europe/Paris";
  if (known.includes(zone)) return undefined;
  const canonical = known.find((z) => z.toLowerCase() === zone.toLowerCase());
  return canonical ? `Write it as ${canonical}` : `"${zone}" is not an IANA time zone name (e.g. Europe/Paris, UTC)`;
}

/** The zones this runtime knows, plus UTC (which supportedValuesOf leaves out). */
export function knownZones(): string[] {
  return ["UTC", ...Intl.supportedValuesOf("timeZone")];
}
