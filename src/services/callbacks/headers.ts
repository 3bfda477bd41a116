/** Extra headers a registration may carry. */
export const MAX_CALLBACK_HEADERS = 20;

/**
 * Headers a callback sets itself, that change how the request travels (hop-by-hop, framing), or
 * that claim something about where it came from: a tenant's header must never override the
 * signature (webhook-*), the framing, or a proxy's view of the sender.
 */
const RESERVED = new Set([
  "host", "content-type", "content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer",
  "expect", "proxy-authorization", "proxy-authenticate", "accept-encoding", "cookie", "forwarded", "via", "x-forwarded-for", "x-forwarded-host",
  "x-forwarded-proto", "x-real-ip", "true-client-ip", "origin", "referer", "user-agent",
]);
const RESERVED_PREFIXES = /^(webhook-|proxy-|cf-|sec-|x-forwarded-|x-edge-notify)/i;
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;

/**
 * What is wrong with a header name a tenant asks for, or null.
 *
 * @example
 * ```ts
 * headerNameProblem("Authorization")     // null
 * headerNameProblem("webhook-signature") // "Set by the callback itself …"
 * ```
 */
export function headerNameProblem(name: string): string | null {
  if (!TOKEN.test(name)) return "Not an HTTP header name (1–64 token characters)";
  if (RESERVED.has(name.toLowerCase()) || RESERVED_PREFIXES.test(name)) return "Set by the callback itself or by the network; it cannot be given";
  return null;
}

/** What is wrong with a header value, or null: bounded, no control characters (no header injection). */
export function headerValueProblem(value: string): string | null {
  if (value.length === 0 || value.length > 1024) return "Must be 1–1024 characters";
  if (/[\u0000-\u001f\u007f]/.test(value)) return "Must not contain control characters or line breaks";
  return null;
}
