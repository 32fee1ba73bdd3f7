/**
 * Times as the console shows them: an instant in the viewer's zone and, for schedules, in the
 * schedule's own zone. Pure functions over Intl, so tests run them in Node with any zone.
 */

/** The zone the browser runs in, e.g. "Europe/Paris". */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "shortOffset",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** "2026-11-22 21:30:05 GMT+1" (or "… UTC"): sortable, unambiguous, with the offset that applied at that instant. */
export function formatInstant(iso: string | null | undefined, zone: string = viewerZone()): string {
  if (!iso) return "—";
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const parts = Object.fromEntries(
    formatterFor(zone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  // ICU writes a zero offset as "GMT" or "GMT+0" depending on its version; say UTC either way.
  const offset = parts.timeZoneName === "GMT" || parts.timeZoneName === "GMT+0" ? "UTC" : parts.timeZoneName;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${offset}`;
}

/** "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h": two units at most, enough to judge a backlog. */
export function formatDuration(totalSeconds: number | null | undefined): string {
  if (totalSeconds === null || totalSeconds === undefined || !Number.isFinite(totalSeconds)) return "—";
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s} s`;
  const units: [number, string][] = [
    [86_400, "d"],
    [3_600, "h"],
    [60, "min"],
    [1, "s"],
  ];
  const first = units.findIndex(([size]) => s >= size);
  const [bigSize, bigName] = units[first]!;
  const [smallSize, smallName] = units[first + 1]!;
  const big = Math.floor(s / bigSize);
  const small = Math.floor((s - big * bigSize) / smallSize);
  return small > 0 ? `${big} ${bigName} ${small} ${smallName}` : `${big} ${bigName}`;
}

/** "in 4 min", "2 h 5 min ago", "now": how far an instant is from `now`. */
export function relativeTo(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "—";
  const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
  if (Number.isNaN(seconds)) return "—";
  if (Math.abs(seconds) < 1) return "now";
  return seconds > 0 ? `in ${formatDuration(seconds)}` : `${formatDuration(-seconds)} ago`;
}
