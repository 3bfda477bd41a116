/**
 * A time as Notify writes it: `%Y-%m-%dT%H:%M:%S.%fZ` (`api/app/utils.py::DATETIME_FORMAT`), UTC
 * with six fractional digits. Ours are kept to the millisecond, so the last three are zeros.
 *
 * @example
 * ```ts
 * notifyTime(new Date("2024-05-17T15:58:38.342Z")) // "2024-05-17T15:58:38.342000Z"
 * notifyTime(null)                                 // null
 * ```
 */
export function notifyTime(date: Date): string;
export function notifyTime(date: Date | null | undefined): string | null;
export function notifyTime(date: Date | null | undefined): string | null {
  return date ? date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z") : null;
}
