import { toHex } from "../../lib/crypto/encoding";
import { timingSafeEqualString } from "../../lib/crypto/hash";
import { hmac } from "../../lib/crypto/hash";

/**
 * What a provider's verification concluded. `missing`: the request carries no credentials or
 * signature at all (401); `refused`: it carries some that do not hold (403); `misconfigured`: our
 * own secret cannot be used (503, whatever the request carried).
 */
export type Verification = { ok: true } | { ok: false; kind: "missing" | "refused" | "misconfigured"; reason: string };

export const VERIFIED: Verification = { ok: true };

export const missing = (reason: string): Verification => ({ ok: false, kind: "missing", reason });
export const refused = (reason: string): Verification => ({ ok: false, kind: "refused", reason });
export const misconfigured = (reason: string): Verification => ({ ok: false, kind: "misconfigured", reason });

/** A request as the verifiers see it: its header fields and the body's exact bytes. */
export interface SignedRequest {
  headers: Headers;
  body: Uint8Array;
}

/**
 * How far a signed timestamp may be from our clock, either way: 5 minutes, the window Svix and
 * Standard Webhooks use and the one Mailgun's and Vonage's guides suggest. A signature older than
 * that is refused even when it is genuine, so a captured request cannot be replayed later; the
 * providers sign every retry afresh.
 */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

/**
 * Whether a signed Unix timestamp (seconds, as the provider wrote it) is within the tolerance of
 * `now`; the refusal names the reason.
 *
 * @example
 * ```ts
 * checkFreshness("1700000000", new Date(1_700_000_100_000)) // { ok: true }
 * checkFreshness("1700000000", new Date(1_700_001_000_000)) // { ok: false, kind: "refused", reason: "timestamp is 1000 s old (tolerance 300 s)" }
 * ```
 */
export function checkFreshness(timestamp: string | number, now: Date): Verification {
  const text = String(timestamp).trim();
  if (!/^\d{1,12}(\.\d+)?$/.test(text)) return refused("timestamp is not a Unix time in seconds");
  const age = Math.round(now.getTime() / 1000 - Number(text));
  if (age > TIMESTAMP_TOLERANCE_SECONDS) return refused(`timestamp is ${age} s old (tolerance ${TIMESTAMP_TOLERANCE_SECONDS} s)`);
  if (-age > TIMESTAMP_TOLERANCE_SECONDS) return refused(`timestamp is ${-age} s in the future (tolerance ${TIMESTAMP_TOLERANCE_SECONDS} s)`);
  return VERIFIED;
}


/**
 * HMAC-SHA256 of `message` under `key` (both UTF-8 text), as lowercase hex: Web Crypto.
 *
 * @example
 * ```ts
 * await hmacSha256Hex("key", "The quick brown fox jumps over the lazy dog")
 * // "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
 * ```
 */
export async function hmacSha256Hex(key: string, message: string): Promise<string> {
  return toHex(await hmac("SHA-256", key, message));
}

/**
 * Compares a hex digest the request carried with ours, ignoring case, in constant time.
 *
 * @example
 * ```ts
 * sameHex(" ABCD", "abcd") // true
 * sameHex("abce", "abcd")  // false
 * ```
 */
export function sameHex(given: string, expected: string): boolean {
  return timingSafeEqualString(given.trim().toLowerCase(), expected.toLowerCase());
}
