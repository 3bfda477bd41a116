type Level = "debug" | "info" | "warn" | "error";

/**
 * Fields whose values are personal data or message content whatever they hold: recipients,
 * bodies, subjects, params. Logs and analytics can leave a deployment's region (README
 * "Regions"), so these never reach a log line, even if a caller passes one by mistake.
 */
const REDACTED_KEYS = new Set([
  "to",
  "cc",
  "bcc",
  "from",
  "replyto",
  "sender",
  "number",
  "body",
  "text",
  "html",
  "content",
  "subject",
  "messagebody",
  "params",
  "reference",
  "destination",
  "msisdn",
  "address",
  "addresses",
  "mergearray",
]);
/** Field names that are recipients or content however they are spelled or compounded (`emailAddresses`, `personalization`, `userNumber`). */
const REDACTED_KEY_PATTERN = /email|phone|recipient|personali[sz]ation|msisdn|usernumber|addresses$/;

const isRedactedKey = (key: string): boolean => {
  const k = key.toLowerCase().replaceAll(/[-_]/g, "");
  return REDACTED_KEYS.has(k) || REDACTED_KEY_PATTERN.test(k);
};

// Bounded quantifiers: an unbounded run before and after "@" backtracks quadratically over a long
// token (a provider's error, a base64 chunk). The top-level domain may be in any script.
const EMAIL = /[^\s@<>"'(),;:]{1,64}@[^\s@<>"'(),;:]{1,253}\.[\p{L}\p{N}-]{2,63}/giu;
/** E.164-looking numbers (providers echo them in error messages); ids and timestamps have no `+`. */
const PHONE = /\+\d[\d ().-]{6,18}\d/g;
const MAX_STRING = 1_000;
/** Read before scrubbing: enough that an address cut at MAX_STRING was still seen whole. */
const MAX_SCANNED = 4_000;
const MAX_DEPTH = 6;
const MAX_KEYS = 50;

function scrubString(value: string): string {
  const scrubbed = value.slice(0, MAX_SCANNED).replace(EMAIL, "[email]").replace(PHONE, "[phone]");
  return scrubbed.length > MAX_STRING || value.length > MAX_SCANNED ? `${scrubbed.slice(0, MAX_STRING)}…` : scrubbed;
}

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === "string") return scrubString(value);
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (depth >= MAX_DEPTH) return "[nested]";
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrub(v, depth + 1));
  if (value instanceof Error) {
    const { code } = value as Error & { code?: unknown };
    return scrub({ name: value.name, message: value.message, ...(code !== undefined ? { code } : {}) }, depth);
  }
  const out: Record<string, unknown> = {};
  let kept = 0;
  for (const [key, v] of Object.entries(value)) {
    if (kept++ >= MAX_KEYS) {
      out["[more]"] = true;
      break;
    }
    // Keys are scrubbed too: a map keyed by address would otherwise log the addresses.
    out[scrubString(key)] = isRedactedKey(key) ? "[redacted]" : scrub(v, depth + 1);
  }
  return out;
}

/**
 * Structured log line (one JSON object), which Workers Logs indexes by field. Callers must never
 * pass secrets, API keys or message content here; as a second line of defence every line is
 * scrubbed: fields named like recipients or content (`to`, `body`, `params`…) are replaced with
 * `[redacted]`, and email addresses and `+`-prefixed phone numbers inside any string (an error a
 * provider worded, a stack) with `[email]` / `[phone]`.
 *
 * @example
 * ```ts
 * log("error", "provider call failed", { deliveryId, error: String(err) }); // "… +15005550001 …" → "… [phone] …"
 * ```
 */
export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, message: scrubString(message), ...(scrub(fields, 0) as Record<string, unknown>) });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
