/**
 * How one line of the local log stream looks: a short source name (api, worker-default, data-api…)
 * in a colour of its own, then the line itself, with the functions' Powertools JSON made readable.
 */

export interface FormatOptions {
  /** ANSI colours: only for a terminal, never with NO_COLOR (https://no-color.org). */
  color: boolean;
  /** Keep each line's raw text (the functions' JSON as written) instead of the readable rendering. */
  json: boolean;
}

/** Colours when writing to a terminal, unless NO_COLOR is set; FORCE_COLOR forces them (as Node's own tools do). */
export function colorWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

/** `--json` on the command line or GROUNDCREW_LOG_JSON=1 keeps the raw JSON lines. */
export function rawJsonWanted(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): boolean {
  return argv.includes("--json") || env.GROUNDCREW_LOG_JSON === "1";
}

const ansi = (code: string) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const palette = ["36", "35", "32", "33", "34", "96", "95", "92", "93", "94"].map(ansi);
const dim = ansi("2");
const levelColors: Record<string, (text: string) => string> = {
  ERROR: ansi("31;1"),
  CRITICAL: ansi("31;1"),
  WARN: ansi("33"),
  WARNING: ansi("33"),
  DEBUG: dim,
};

/** Powertools' standard keys: shown as time, level and message, or left out as noise. */
const standardKeys = new Set([
  "level",
  "message",
  "timestamp",
  "service",
  "sampling_rate",
  "xray_trace_id",
  "cold_start",
  "function_arn",
  "function_memory_size",
  "function_name",
  "function_request_id",
]);

interface ErrorShape {
  name?: string;
  message?: string;
  stack?: string;
}

const isErrorShape = (value: unknown): value is ErrorShape =>
  typeof value === "object" && value !== null && "message" in value && ("stack" in value || "name" in value);

export class LogFormatter {
  private readonly colors = new Map<string, (text: string) => string>();
  /** Wide enough for worker-default from the start, so the first lines line up with the later ones. */
  private width = 14;

  constructor(private readonly options: FormatOptions) {}

  /** One source's line, ready to print (several lines when it carries a stack), or undefined to leave it out. */
  format(source: string, text: string): string | undefined {
    const body = this.options.json ? text : readable(text, this.options.color);
    if (body === undefined) return undefined;
    // Up to a point: CDK's own functions' long names overflow rather than push every other line right.
    this.width = Math.min(Math.max(this.width, source.length), 16);
    const prefix = this.paint(source, `${source.padEnd(this.width)} |`);
    return body
      .split("\n")
      .map((line) => `${prefix} ${line}`)
      .join("\n");
  }

  /** The same colour for a source all along, handed out in order of first appearance so neighbours differ. */
  private paint(source: string, text: string): string {
    if (!this.options.color) return text;
    let color = this.colors.get(source);
    if (!color) {
      color = palette[this.colors.size % palette.length] ?? dim;
      this.colors.set(source, color);
    }
    return color(text);
  }
}

/**
 * A line made readable: Powertools JSON as `time LEVEL message key=value…` with an error's stack
 * below it, metrics (EMF) as one short line, the runtime's START/END lines left out, anything else as is.
 */
export function readable(text: string, color = false): string | undefined {
  const trimmed = text.trimEnd();
  if (/^(START|END) RequestId: /.test(trimmed)) return undefined;
  const report = /^REPORT RequestId: \S+\s+Duration: ([\d.]+) ms.*?Max Memory Used: (\d+) MB/.exec(trimmed);
  if (report) return paintIf(color, dim, `done in ${report[1]} ms, ${report[2]} MB`);
  const json = parseObject(trimmed);
  if (!json) return trimmed;
  if ("_aws" in json) return paintIf(color, dim, metricLine(json));
  if (typeof json.message !== "string" && typeof json.level !== "string") return trimmed;
  return powertoolsLine(json, color);
}

function powertoolsLine(json: Record<string, unknown>, color: boolean): string {
  const level = typeof json.level === "string" ? json.level.toUpperCase() : "INFO";
  const levelText = level.padEnd(5);
  const fields: string[] = [];
  const errors: string[] = [];
  for (const [key, value] of Object.entries(json)) {
    if (standardKeys.has(key) || value === undefined || value === null) continue;
    if (isErrorShape(value)) {
      errors.push(errorBlock(key, value));
      continue;
    }
    fields.push(`${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  }
  const head = [
    clock(json.timestamp),
    color ? (levelColors[level] ?? ((t: string) => t))(levelText) : levelText,
    typeof json.message === "string" ? json.message : JSON.stringify(json.message ?? ""),
    ...fields,
  ]
    .filter((part) => part !== "")
    .join(" ");
  return [head, ...errors].join("\n");
}

/** `error: TypeError: boom` and the stack's frames indented below, as a developer reads them in a terminal. */
function errorBlock(key: string, error: ErrorShape): string {
  const title = `  ${key}: ${error.name ?? "Error"}: ${error.message ?? ""}`;
  const frames = (error.stack ?? "")
    .split("\n")
    .filter((line) => /^\s*at /.test(line))
    .map((line) => `    ${line.trim()}`);
  return [title, ...frames].join("\n");
}

function metricLine(json: Record<string, unknown>): string {
  const aws = json._aws as { CloudWatchMetrics?: { Metrics?: { Name: string }[]; Dimensions?: string[][] }[] };
  const directive = aws.CloudWatchMetrics?.[0];
  const names = (directive?.Metrics ?? []).map((metric) => metric.Name);
  const dimensions = (directive?.Dimensions?.flat() ?? []).map((name) => `${name}=${String(json[name])}`);
  return `metric ${names.map((name) => `${name}=${JSON.stringify(json[name])}`).join(" ")} ${dimensions.join(" ")}`.trim();
}

/** HH:MM:SS.mmm of an ISO timestamp, in UTC like the timestamps the functions write. */
function clock(timestamp: unknown): string {
  if (typeof timestamp !== "string") return "";
  const match = /T(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/.exec(timestamp);
  return match?.[1] ?? "";
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const paintIf = (color: boolean, paint: (text: string) => string, text: string) => (color ? paint(text) : text);
