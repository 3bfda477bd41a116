/** Characters people paste without seeing them; GOV.UK Notify removes them anywhere in an address. */
const INVISIBLE = /[\u180E\u200B-\u200D\u2060\uFEFF\u00A0\u202F]/g;
const LOCAL_PART = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+$/;
/** ASCII allowed in a domain before IDNA; anything else (`/`, `:`, `%`, `_`, …) would be read by the URL parser as something other than a host name. */
const DOMAIN_ASCII = /^(?:[a-z0-9.-]|[^\x00-\x7F])+$/;
const LABEL = /^(xn|[a-z0-9]+)(-?-[a-z0-9]+)*$/;
const TLD = /^([a-z]{2,63}|xn--([a-z0-9]+-)*[a-z0-9]+)$/;

export type EmailCheck = { ok: true; address: string } | { ok: false; message: string };

const INVALID: EmailCheck = { ok: false, message: "Not a valid email address" };

/** The host's IDNA (punycode) form, from the platform's URL parser; null when it is not a host name. */
function toAscii(domain: string): string | null {
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return null;
  }
}

/**
 * GOV.UK Notify's address rules: a plain local part, no `..`, at most 320 characters, and a
 * domain of at least two valid labels once IDNA-encoded (so `例え.テスト` is fine), no IP
 * literals, quotes or semicolons. The address comes back trimmed, with the domain lower-cased
 * and otherwise as given (an internationalised domain stays in Unicode).
 *
 * @example
 * ```ts
 * validateEmailAddress(" Ann@Example.COM ") // { ok: true, address: "Ann@example.com" }
 * validateEmailAddress("ann@[127.0.0.1]")   // { ok: false, message: "Not a valid email address" }
 * ```
 */
export function validateEmailAddress(raw: string): EmailCheck {
  const value = raw.replace(INVISIBLE, "").trim();
  if (value.length > 320 || value.includes("..")) return INVALID;
  const at = value.indexOf("@");
  if (at <= 0) return INVALID;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).toLowerCase();
  if (!LOCAL_PART.test(local) || domain.length < 2 || domain.startsWith(".") || !DOMAIN_ASCII.test(domain)) return INVALID;
  const ascii = toAscii(domain);
  if (!ascii || ascii.length > 253) return INVALID;
  const labels = ascii.split(".");
  if (labels.length < 2 || labels.some((l) => l.length > 63 || !LABEL.test(l))) return INVALID;
  if (!TLD.test(labels[labels.length - 1]!)) return INVALID;
  return { ok: true, address: `${local}@${domain}` };
}
