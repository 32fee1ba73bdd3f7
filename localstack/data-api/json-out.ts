import { randomBytes } from "node:crypto";

const marker = `~exact${randomBytes(6).toString("hex")}~`;
const markerPattern = new RegExp(`"${marker}(-?\\d+)${marker}"`, "g");

/**
 * An integer written into the JSON answer digit for digit. The service's JSON carries a bigint's full
 * value (longValue is a Java long); a JavaScript number would round anything past 2^53 before it left
 * the stand-in, hiding that the caller's own JSON parsing is what loses the precision on AWS.
 */
export class ExactInteger {
  constructor(readonly digits: string) {}

  toJSON(): string {
    return `${marker}${this.digits}${marker}`;
  }
}

/** A long as a JS number when that is exact, else as ExactInteger. */
export const longOf = (digits: string): number | ExactInteger => {
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : new ExactInteger(digits);
};

/** JSON.stringify that writes ExactInteger values as bare numbers. */
export const toJson = (value: unknown): string => JSON.stringify(value).replace(markerPattern, "$1");
