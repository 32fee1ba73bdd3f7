/**
 * Local wall-clock time and real instants, both as epoch milliseconds: a wall time is written as
 * if it were UTC ("03:00 in Paris" is the number for 03:00Z). Daylight saving makes the mapping
 * uneven: in spring an hour of wall times never happens (a gap), in autumn an hour happens twice
 * (a fold). Everything here reads offsets from Intl, so it follows the runtime's time-zone data.
 */

export const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Offsets already read, by zone and instant: a tick near a DST change asks for the same ones many times. */
const offsets = new Map<string, number>();
const MAX_REMEMBERED_OFFSETS = 100_000;

/** The zone's offset from UTC at `instant`, in milliseconds (Paris in summer: +2 h). */
export function offsetAt(instant: number, zone: string): number {
  const key = `${zone} ${instant}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size >= MAX_REMEMBERED_OFFSETS) offsets.clear();
    offset = readOffset(instant, zone);
    offsets.set(key, offset);
  }
  return offset;
}

function readOffset(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(instant))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  const wholeSeconds = instant - (((instant % 1000) + 1000) % 1000);
  return asUtc - wholeSeconds;
}

/** What the clocks in `zone` read at `instant`. */
export function wallClockAt(instant: number, zone: string): number {
  return instant + offsetAt(instant, zone);
}

/**
 * The instants at which the clocks in `zone` read `wall`: one normally, two in a fold (earliest
 * first), none in a gap. For a gap, `jump` is the instant the clocks jumped over it.
 */
export function instantsOf(wall: number, zone: string): { instants: number[]; jump?: number } {
  // Offsets a day either side cover any real transition near `wall`; each is tried as the answer.
  const offsets = new Set([
    offsetAt(wall - 24 * HOUR_MS, zone),
    offsetAt(wall, zone),
    offsetAt(wall + 24 * HOUR_MS, zone),
  ]);
  const instants = [...offsets]
    .map((offset) => wall - offset)
    .filter((instant) => offsetAt(instant, zone) === wall - instant)
    .sort((a, b) => a - b);
  const unique = instants.filter((instant, i) => i === 0 || instant !== instants[i - 1]);
  if (unique.length > 0) return { instants: unique };
  return { instants: [], jump: jumpOver(wall, zone, Math.min(...offsets), Math.max(...offsets)) };
}

/** The first instant after a forward jump that skipped `wall`: when the clocks read past it. */
function jumpOver(wall: number, zone: string, minOffset: number, maxOffset: number): number {
  // Before the jump the clocks read less than `wall`, after it more; search between, to the minute.
  let before = wall - maxOffset;
  let after = wall - minOffset;
  while (after - before > MINUTE_MS) {
    const middle = before + Math.floor((after - before) / 2 / MINUTE_MS) * MINUTE_MS;
    if (wallClockAt(middle, zone) < wall) before = middle;
    else after = middle;
  }
  return after;
}

/** "2026-11-01T01:30": a wall time as people write it, to the minute. */
export function formatWall(wall: number): string {
  return new Date(wall).toISOString().slice(0, 16);
}
