import { fieldError } from "../../lib/errors/api-error";

/** How far ahead a send may be scheduled. */
export const MAX_SCHEDULE_DAYS = 30;

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Reads `delayedSend`: ISO 8601 date-time, UTC when no zone is written (the seed's rule). It must
 * be in the future and within MAX_SCHEDULE_DAYS; a past time is refused rather than sent at once,
 * because a caller who scheduled something did not ask for it now.
 *
 * @example
 * ```ts
 * parseDelayedSend("2027-06-25T15:15:00", "delayedSend", new Date()) // 2027-06-25T15:15:00.000Z
 * ```
 */
export function parseDelayedSend(value: string | undefined, path: string, now: Date): Date | null {
  if (value === undefined) return null;
  const match = ISO_DATE_TIME.exec(value.trim());
  if (!match) throw fieldError("unprocessable", path, "Not an ISO 8601 date-time (e.g. 2027-06-25T15:15:00Z)");
  const [year, month, day, hour, minute, second = 0] = match.slice(1, 7).map((p) => (p === undefined ? undefined : Number(p))) as number[];
  const wallClock = Date.UTC(year!, month! - 1, day!, hour!, minute!, second);
  const check = new Date(wallClock);
  if (check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day || hour! > 23 || minute! > 59 || second > 59) {
    throw fieldError("unprocessable", path, "Not a real date-time");
  }
  const millis = match[7] ? Number(match[7].slice(0, 3).padEnd(3, "0")) : 0;
  const at = new Date(wallClock + millis - offsetMinutes(match[8]) * 60_000);
  if (at.getTime() <= now.getTime()) throw fieldError("unprocessable", path, `Must be in the future (it is ${now.toISOString()} now)`);
  if (at.getTime() > now.getTime() + MAX_SCHEDULE_DAYS * 86_400_000) {
    throw fieldError("unprocessable", path, `Must be within ${MAX_SCHEDULE_DAYS} days`);
  }
  return at;
}

/** Minutes east of UTC for a zone designator; none or Z is UTC. */
function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}
