import { z } from "@hono/zod-openapi";

/**
 * Characters no name may hold: C0 and C1 controls and DEL (NUL, VT, CR, LF, …), line and paragraph
 * separators, and the bidirectional controls (LRE…RLO, LRI…PDI, LRM, RLM, ALM) that make text read
 * differently from what it is (`invoice\u202Efdp.exe` shows as `invoiceexe.pdf`), plus BOM and the
 * interlinear annotation marks. Zero-width joiners stay allowed: emoji and several scripts need them.
 */
export const UNSAFE_TEXT = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF\uFFF9-\uFFFB]/u;

const UNSAFE_TEXT_GLOBAL = new RegExp(UNSAFE_TEXT.source, "gu");

/**
 * Whether a name holds a character UNSAFE_TEXT refuses.
 *
 * @example
 * ```ts
 * hasUnsafeText("Funding\u0000Programs") // true
 * hasUnsafeText("Café 👩‍💻")              // false
 * ```
 */
export function hasUnsafeText(value: string): boolean {
  return UNSAFE_TEXT.test(value);
}

/**
 * The name with every UNSAFE_TEXT character made a space and runs of whitespace made one space:
 * defence in depth where a name reaches a wire format (MIME headers, provider JSON).
 *
 * @example
 * ```ts
 * stripUnsafeText("Ann\r\nBcc: x@y.z\u202E") // "Ann Bcc: x@y.z"
 * ```
 */
export function stripUnsafeText(value: string): string {
  return value.replace(UNSAFE_TEXT_GLOBAL, " ").replace(/\s+/g, " ").trim();
}

export const UNSAFE_TEXT_MESSAGE = "Must not contain control characters, line breaks or bidirectional controls";

/**
 * The one schema for a human-readable name (tenants, templates, API keys): trimmed, 1 to `max`
 * characters, no control, line-break or bidirectional-override characters.
 *
 * @example
 * ```ts
 * const CreateTenant = z.object({ name: displayNameSchema(200).openapi({ example: "Funding Applications" }) });
 * ```
 */
export function displayNameSchema(max: number) {
  return z.string().trim().min(1).max(max).refine((v) => !hasUnsafeText(v), { message: UNSAFE_TEXT_MESSAGE });
}
