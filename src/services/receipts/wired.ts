import type { Env } from "../../env";

/** Parsed RECEIPT_PROVIDERS per isolate: the setting is read on every settled delivery. */
let cached: { raw: string; names: ReadonlySet<string> } | undefined;

/**
 * The providers whose delivery receipts this deployment has wired (RECEIPT_PROVIDERS, a
 * comma-separated list of adapter names). A provider is wired only when the operator says so:
 * its webhook must be configured in the provider's console too, and a deployment that has not
 * done that would otherwise leave every message `sending` until the 72-hour sweep fails it.
 *
 * @example
 * ```ts
 * receiptProviders({ RECEIPT_PROVIDERS: "twilio, SES" }) // Set { "twilio", "ses" }
 * ```
 */
export function receiptProviders(env: Pick<Env, "RECEIPT_PROVIDERS">): ReadonlySet<string> {
  const raw = env.RECEIPT_PROVIDERS ?? "";
  if (cached?.raw !== raw) {
    cached = { raw, names: new Set(raw.split(",").map((name) => name.trim().toLowerCase()).filter(Boolean)) };
  }
  return cached.names;
}

/**
 * Whether `provider`'s acceptance is followed by a delivery receipt on this deployment: then an
 * accepted message stays `sending` until the receipt (or the 72-hour sweep), else acceptance is
 * reported as `delivered`.
 *
 * @example
 * ```ts
 * receiptsWired({ RECEIPT_PROVIDERS: "twilio,ses" }, "ses")     // true
 * receiptsWired({ RECEIPT_PROVIDERS: "twilio,ses" }, "vonage")  // false
 * ```
 */
export function receiptsWired(env: Pick<Env, "RECEIPT_PROVIDERS">, provider: string): boolean {
  return receiptProviders(env).has(provider);
}
