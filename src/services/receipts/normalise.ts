import { validateEmailAddress } from "../recipients/email";

/** A provider payload that cannot be read as its receipts (the route answers 400). */
export class MalformedReceipts extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedReceipts";
  }
}

/**
 * An email address as a provider reports it, in the form messages.recipient stores it: the bare
 * address of `Name <addr>`, its domain in Unicode (providers see the punycode we sent). applyReceipts
 * compares it case-insensitively, so only the domain's encoding matters here.
 *
 * @example
 * ```ts
 * emailRecipient("Ann <ann@xn--bcher-kva.example>") // "ann@bücher.example"
 * emailRecipient("not an address")                 // "not an address" (matches nothing)
 * ```
 */
export function emailRecipient(raw: string): string {
  const bare = /<([^<>]*)>\s*$/.exec(raw)?.[1] ?? raw;
  const check = validateEmailAddress(bare);
  return check.ok ? check.address : bare.trim();
}

/**
 * A phone number as a provider reports it (Vonage drops the "+"), in E.164 as messages store it.
 *
 * @example
 * ```ts
 * phoneRecipient("447700900000")  // "+447700900000"
 * phoneRecipient("+447700900000") // "+447700900000"
 * ```
 */
export function phoneRecipient(raw: string): string {
  const digits = raw.trim();
  return /^\d+$/.test(digits) ? `+${digits}` : digits;
}

/**
 * A provider's event time: Unix seconds (possibly fractional, possibly a string) or an ISO 8601
 * text; `fallback` when absent or unreadable, so a receipt is never dropped for its clock.
 *
 * @example
 * ```ts
 * eventTime(1513299569, now)                      // 2017-12-15T00:59:29.000Z
 * eventTime("2019-11-05T16:33:54.9070259Z", now)   // 2019-11-05T16:33:54.907Z
 * ```
 */
export function eventTime(value: unknown, fallback: Date): Date {
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value === "string" && /^\d+(\.\d+)?$/.test(value)) return new Date(Number(value) * 1000);
  if (typeof value === "string") {
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  return fallback;
}

/** A plain JSON object (not null, not an array), or undefined. */
export function objectOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A non-empty string field, or undefined. */
export function textOf(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/** Bounds a provider's free text before it is stored as a message's error detail. */
export function detailOf(...candidates: unknown[]): string | undefined {
  for (const c of candidates) {
    const text = typeof c === "number" ? String(c) : textOf(c);
    if (text !== undefined) return text.length > 500 ? `${text.slice(0, 499)}…` : text;
  }
  return undefined;
}
