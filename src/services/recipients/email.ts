import { domainToUnicode } from "node:url";

/** Characters people paste without seeing them; GOV.UK Notify removes them anywhere in an address. */
const INVISIBLE = /[\u180E\u200B-\u200D\u2060\uFEFF\u00A0\u202F]/g;
/** RFC 5322 dot-atom: atext runs joined by single dots, so no leading, trailing or double dot. */
const LOCAL_PART = /^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** RFC 5321 §4.5.3.1: 64 octets of local part, 254 of address (the 256-octet path less its `<>`). */
const MAX_LOCAL_OCTETS = 64;
const MAX_ADDRESS_OCTETS = 254;
/** UTS #46 label separators besides ".": ideographic, fullwidth and halfwidth ideographic full stops. */
const IDNA_DOTS = /[\u3002\uFF0E\uFF61]/g;
/** ASCII allowed in a domain before IDNA; anything else (`/`, `:`, `%`, `_`, …) would be read by the URL parser as something other than a host name. */
const DOMAIN_ASCII = /^(?:[a-z0-9.-]|[^\x00-\x7F])+$/;
const LABEL = /^(xn|[a-z0-9]+)(-?-[a-z0-9]+)*$/;
const PLAIN_DOMAIN = /^[a-z0-9.-]+$/;
const TLD = /^([a-z]{2,63}|xn--([a-z0-9]+-)*[a-z0-9]+)$/;

export type EmailCheck = { ok: true; address: string } | { ok: false; message: string };

const INVALID: EmailCheck = { ok: false, message: "Not a valid email address" };

/** The host's IDNA (punycode) form, from the platform's URL parser (UTS #46 mapping); null when it is not a host name. */
function toAscii(domain: string): string | null {
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return null;
  }
}

/**
 * GOV.UK Notify's address rules plus RFC 5321/5322 limits: a dot-atom local part of at most 64
 * octets (no leading, trailing or double dot), at most 254 octets in all (domain in ASCII form),
 * and a domain of at least two valid labels once IDNA-encoded (so `例え.テスト` is fine), no IP
 * literals, quotes or semicolons.
 *
 * The address comes back trimmed with its domain in one canonical form, so equivalent spellings
 * are one recipient: UTS #46 mapped (NFKC, lower case, `。` as `.`; `ｅｘａｍｐｌｅ.com` is
 * `example.com`) and written in Unicode (U-labels: `xn--bcher-kva.example` is stored as
 * `bücher.example`). Unicode is what people read in status and history; adapters put the ASCII
 * form on the wire (channels/email/address.ts). The local part is kept as given.
 *
 * @example
 * ```ts
 * validateEmailAddress(" Ann@Example.COM ")        // { ok: true, address: "Ann@example.com" }
 * validateEmailAddress("ann@ｅｘａｍｐｌｅ.com")    // { ok: true, address: "ann@example.com" }
 * validateEmailAddress("ann@xn--bcher-kva.example") // { ok: true, address: "ann@bücher.example" }
 * validateEmailAddress("a.@example.com")           // { ok: false, message: "Not a valid email address" }
 * ```
 */
export function validateEmailAddress(raw: string): EmailCheck {
  const value = raw.replace(INVISIBLE, "").trim();
  if (value.length > 320) return INVALID;
  const at = value.indexOf("@");
  if (at <= 0) return INVALID;
  const local = value.slice(0, at);
  if (local.length > MAX_LOCAL_OCTETS || !LOCAL_PART.test(local)) return INVALID;
  const domain = value.slice(at + 1).normalize("NFKC").toLowerCase().replace(IDNA_DOTS, ".");
  if (domain.length < 2 || domain.startsWith(".") || domain.includes("..") || !DOMAIN_ASCII.test(domain)) return INVALID;
  // Plain ASCII without A-labels is already its own IDNA and Unicode form (and a letters-only TLD
  // below rules out the numeric hosts the URL parser would rewrite): most addresses skip the parser.
  const plain = PLAIN_DOMAIN.test(domain) && !domain.includes("xn--");
  const ascii = plain ? domain : toAscii(domain);
  if (!ascii || ascii.length > 253 || local.length + 1 + ascii.length > MAX_ADDRESS_OCTETS) return INVALID;
  const labels = ascii.split(".");
  if (labels.length < 2 || labels.some((l) => l.length > 63 || !LABEL.test(l))) return INVALID;
  if (!TLD.test(labels[labels.length - 1]!)) return INVALID;
  const unicode = plain ? ascii : domainToUnicode(ascii);
  // The URL parser accepted the A-labels, so ToUnicode only fails on a platform without it.
  return { ok: true, address: `${local}@${unicode || ascii}` };
}
