/**
 * Seconds before each attempt of a series, Svix's schedule: at once, then 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h and 10 h, about 27 hours in all. The index is the attempt's number in its series
 * less one; past the end the event is `failed` (a replay starts a new series).
 */
export const RETRY_SCHEDULE_SECONDS: readonly number[] = [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];

/** Queues delay a message by at most 12 hours: the bound of any wait, Retry-After included. */
export const MAX_DELAY_SECONDS = 12 * 3_600;

/**
 * The wait before the next attempt after attempt `made` of a series (1-based) failed in a way a
 * retry may mend, or null when the series is over. A receiver's Retry-After (429, 503) is
 * honoured when longer than the schedule's wait, up to MAX_DELAY_SECONDS.
 *
 * @example
 * ```ts
 * nextDelaySeconds(1)       // 5
 * nextDelaySeconds(2, 60)   // 300 (the schedule waits longer)
 * nextDelaySeconds(1, 60)   // 60
 * nextDelaySeconds(8)       // null: the eighth attempt was the last
 * ```
 */
export function nextDelaySeconds(made: number, retryAfterSeconds?: number): number | null {
  const scheduled = RETRY_SCHEDULE_SECONDS[made];
  if (scheduled === undefined) return null;
  const asked = retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) ? Math.max(0, retryAfterSeconds) : 0;
  return Math.min(Math.max(scheduled, Math.ceil(asked)), MAX_DELAY_SECONDS);
}

/**
 * Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or undefined.
 *
 * @example
 * ```ts
 * retryAfterSeconds("120", now) // 120
 * retryAfterSeconds(new Date(now.getTime() + 30_000).toUTCString(), now) // 30
 * ```
 */
export function retryAfterSeconds(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,10}$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}
