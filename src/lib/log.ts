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
  "recipient",
  "recipients",
  "email",
  "emailaddress",
  "phone",
  "phonenumber",
  "number",
  "usernumber",
  "body",
  "text",
  "html",
  "content",
  "subject",
  "messagebody",
  "params",
  "personalisation",
  "mergearray",
]);

const EMAIL = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[a-z0-9-]{2,}/gi;
/** E.164-looking numbers (providers echo them in error messages); ids and timestamps have no `+`. */
const PHONE = /\+\d[\d ().-]{6,18}\d/g;
const MAX_STRING = 1_000;
const MAX_DEPTH = 6;

function scrubString(value: string): string {
  const scrubbed = value.replace(EMAIL, "[email]").replace(PHONE, "[phone]");
  return scrubbed.length > MAX_STRING ? `${scrubbed.slice(0, MAX_STRING)}…` : scrubbed;
}

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === "string") return scrubString(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "[nested]";
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrub(v, depth + 1));
  if (value instanceof Error) return scrub({ name: value.name, message: value.message }, depth);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = REDACTED_KEYS.has(key.toLowerCase().replaceAll(/[-_]/g, "")) ? "[redacted]" : scrub(v, depth + 1);
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
