import { WireError } from "./wire-errors.js";

/**
 * The typeHint values of SqlParameter and what each one binds as. The accepted formats are the ones the
 * API reference documents (SqlParameter.typeHint): DATE `YYYY-MM-DD`, TIME `HH:MM:SS[.FFF]`, TIMESTAMP
 * `YYYY-MM-DD HH:MM:SS[.FFF]`. For DECIMAL, JSON and UUID the reference names no format; the stand-in
 * asks for a plain decimal number, valid JSON and a canonical uuid. What AWS answers for a value in
 * another format is not documented, so such a value is refused here (the stricter choice): an ISO
 * `2026-01-01T10:00:00Z` sent as TIMESTAMP must not be quietly stored with its offset dropped.
 */
interface Hint {
  cast: string;
  format: string;
  accepts: (value: string) => boolean;
}

const date = /^(\d{4})-(\d{2})-(\d{2})$/;
const time = /^(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?$/;

const validDate = (value: string): boolean => {
  const match = date.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  return (
    calendar.getUTCFullYear() === year &&
    calendar.getUTCMonth() === month - 1 &&
    calendar.getUTCDate() === day &&
    year > 0
  );
};

const validTime = (value: string): boolean => {
  const match = time.exec(value);
  return match !== null && Number(match[1]) < 24 && Number(match[2]) < 60 && Number(match[3]) < 60;
};

const validJson = (value: string): boolean => {
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
};

const hints: Record<string, Hint> = {
  DATE: { cast: "date", format: "YYYY-MM-DD", accepts: validDate },
  TIME: { cast: "time", format: "HH:MM:SS[.FFF]", accepts: validTime },
  TIMESTAMP: {
    cast: "timestamp",
    format: "YYYY-MM-DD HH:MM:SS[.FFF]",
    accepts: (value) => {
      const [day, clock, extra] = value.split(" ");
      return extra === undefined && day !== undefined && clock !== undefined && validDate(day) && validTime(clock);
    },
  },
  DECIMAL: {
    cast: "numeric",
    format: "a decimal number",
    accepts: (value) => /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value),
  },
  JSON: { cast: "jsonb", format: "a JSON document", accepts: validJson },
  UUID: {
    cast: "uuid",
    format: "a uuid (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
    accepts: (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
  },
};

/** The PostgreSQL type a hinted stringValue binds as, after checking the value has the hint's format. */
export function hintedCast(name: string, typeHint: string, value: string): string {
  const hint = Object.hasOwn(hints, typeHint) ? hints[typeHint] : undefined;
  // The SDK model's enum: JSON | UUID | TIMESTAMP | DATE | TIME | DECIMAL.
  if (!hint) throw new WireError(`Invalid type hint: ${typeHint}`);
  if (!hint.accepts(value))
    throw new WireError(
      `Invalid ${typeHint} value for parameter ${name}: '${value}'. The accepted format is ${hint.format}.`,
    );
  return hint.cast;
}
