/**
 * Most providers a channel may list for failover: more than there are adapters for either channel,
 * and few enough that a delivery's list stays a short JSON value on its row.
 */
export const MAX_PROVIDERS = 6;

/**
 * A channel's ordered provider list from wherever it was written: a Worker variable holds a
 * comma-separated list (`"ses,postmark"`), tenant settings a string or an array. Names are trimmed,
 * empty ones dropped, and a name given twice keeps its first place, so the first entry is always
 * the primary.
 *
 * @example
 * ```ts
 * providerList(" ses, postmark ,ses") // ["ses", "postmark"]
 * providerList(["twilio", "vonage"])  // ["twilio", "vonage"]
 * providerList(undefined)             // []
 * ```
 */
export function providerList(value: unknown): string[] {
  const raw = typeof value === "string" ? value.split(",") : Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  return [...new Set(raw.map((name) => name.trim()).filter(Boolean))];
}

/**
 * The order a delivery tries its providers in from `current` on: the rest of its list after it,
 * then round to the start. A provider missing from the list (a row stored before lists existed)
 * comes first, followed by the list.
 *
 * @example
 * ```ts
 * failoverOrder(["ses", "postmark", "sendgrid"], "postmark") // ["postmark", "sendgrid", "ses"]
 * failoverOrder(null, "ses")                                 // ["ses"]
 * ```
 */
export function failoverOrder(list: readonly string[] | null | undefined, current: string): string[] {
  const providers = list && list.length > 0 ? list : [current];
  const at = providers.indexOf(current);
  if (at < 0) return [current, ...providers];
  return [...providers.slice(at), ...providers.slice(0, at)];
}
