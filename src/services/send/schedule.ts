import { fieldError } from "../../lib/errors/api-error";

/** How far ahead a send may be scheduled. */
export const MAX_SCHEDULE_DAYS = 30;

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const EXAMPLE = "e.g. 2027-06-25T15:15:00Z or 2027-06-25T08:15:00-07:00";

/**
 * Reads `delayedSend`: ISO 8601 date-time, UTC when no zone is written (the seed's rule). It must
 * be in the future and within MAX_SCHEDULE_DAYS; a past time is refused rather than sent at once,
 * because a caller who scheduled something did not ask for it now.
 *
 * Only real calendar instants are read: a four-digit year, month 01–12, a day the month has,
 * hours 00–23 (no `24:00`), minutes and seconds 00–59 (no leap second: the clock cannot schedule
 * one) and a zone of `Z` or ±hh:mm with hh ≤ 23 and mm ≤ 59. Anything else is "not a valid ISO
 * 8601 date-time", never "must be in the future".
 *
 * @example
 * ```ts
 * parseDelayedSend("2027-06-25T15:15:00", "delayedSend", new Date()) // 2027-06-25T15:15:00.000Z
 * parseDelayedSend("2027-06-25T15:15:00+99:99", "delayedSend", new Date()) // throws 422 "Not a valid ISO 8601 date-time …"
 * ```
 */
export function parseDelayedSend(value: string | undefined, path: string, now: Date): Date | null {
  if (value === undefined) return null;
  const at = parseIsoDateTime(value);
  if (typeof at === "string") throw fieldError("unprocessable", path, `Not a valid ISO 8601 date-time (${at}); ${EXAMPLE}`);
  if (at.getTime() <= now.getTime()) throw fieldError("unprocessable", path, `Must be in the future (it is ${now.toISOString()} now)`);
  if (at.getTime() > now.getTime() + MAX_SCHEDULE_DAYS * 86_400_000) {
    throw fieldError("unprocessable", path, `Must be within ${MAX_SCHEDULE_DAYS} days`);
  }
  return at;
}

/** The instant written, or why it is not one. */
function parseIsoDateTime(value: string): Date | string {
  const match = ISO_DATE_TIME.exec(value.trim());
  if (!match) return "expected YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm]";
  const [year, month, day, hour, minute, second = 0] = match.slice(1, 7).map((p) => (p === undefined ? undefined : Number(p))) as number[];
  if (month! < 1 || month! > 12) return `month ${match[2]} does not exist`;
  const wall = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  wall.setUTCFullYear(year!, month! - 1, day!);
  if (day! < 1 || wall.getUTCMonth() !== month! - 1) return `${match[1]}-${match[2]} has no day ${match[3]}`;
  if (hour! > 23) return `hour ${match[4]} does not exist`;
  if (minute! > 59) return `minute ${match[5]} does not exist`;
  if (second > 59) return `second ${match[6]} is not schedulable`;
  const offset = offsetMinutes(match[8]);
  if (offset === null) return `zone offset ${match[8]} does not exist`;
  const millis = match[7] ? Number(match[7].slice(0, 3).padEnd(3, "0")) : 0;
  wall.setUTCHours(hour!, minute!, second, millis);
  return new Date(wall.getTime() - offset * 60_000);
}

/** Minutes east of UTC for a zone designator; none or Z is UTC; null for an offset that cannot exist. */
function offsetMinutes(zone: string | undefined): number | null {
  if (!zone || zone.toUpperCase() === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}
