/** Longest text ever taken from a remote answer into a stored, tenant-readable message. */
export const MAX_SUMMARY_CHARS = 200;

/** Machine-readable error codes: a letter, then letters, digits, `_`, `-` or `.`, no spaces. */
export const ERROR_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * A remote error code fit to store: the value when, with control and format characters removed
 * and trimmed, it is at most 200 characters and matches `pattern` (a provider's documented code
 * shape, ERROR_CODE by default); otherwise undefined. Free text never passes, so whatever else a
 * receiver (or an internal service behind a misused URL) answers stays out of tenant-readable
 * statuses.
 *
 * @example
 * ```ts
 * remoteCode("channel_not_found\n", /^[a-z_]{1,64}$/) // "channel_not_found"
 * remoteCode("<html>…</html>")                        // undefined
 * remoteCode({ secret: 1 })                           // undefined
 * ```
 */
export function remoteCode(value: unknown, pattern: RegExp = ERROR_CODE): string | undefined {
  if (typeof value !== "string") return undefined;
  const clean = value.replace(/[\p{Cc}\p{Cf}]/gu, "").trim();
  if (clean.length === 0 || clean.length > MAX_SUMMARY_CHARS) return undefined;
  return pattern.test(clean) ? clean : undefined;
}

/**
 * What a stored failure says about a remote answer: its known error code, or only its HTTP status.
 *
 * @example
 * ```ts
 * remoteSummary(404, "no_service") // "no_service"
 * remoteSummary(502)               // "HTTP 502"
 * ```
 */
export function remoteSummary(status: number, code?: string): string {
  return code ?? `HTTP ${status}`;
}
