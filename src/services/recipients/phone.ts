import { type CountryCode, ParseError, parsePhoneNumberWithError, validatePhoneNumberLength } from "libphonenumber-js/max";

export type PhoneCheck = { ok: true; e164: string; region?: string } | { ok: false; message: string };

/** What GOV.UK Notify lets through, plus `.` as North Americans write numbers (778.700.1234). */
const ALLOWED = /^[\d\s()+\-.]+$/;
/**
 * Ofcom's drama range 07700 900xxx, which GOV.UK Notify's simulator numbers use; libphonenumber
 * calls them invalid.
 */
const UK_DRAMA = /^\+447700900\d{3}$/;

/** libphonenumber's reasons, as GOV.UK Notify's v2 API words them where it has a wording. */
const MESSAGES: Record<string, string> = {
  TOO_SHORT: "Too short",
  TOO_LONG: "Too long",
  INVALID_COUNTRY: "Not a valid country prefix",
};
const NOT_VALID = "Not a valid phone number";

function failure(reason: string | undefined): PhoneCheck {
  return { ok: false, message: (reason && MESSAGES[reason]) || NOT_VALID };
}

/**
 * Reads a phone number as people write it, national numbers in `defaultRegion`, and returns it in
 * E.164 with its region. Premium-rate numbers are refused.
 *
 * @example
 * ```ts
 * normalisePhoneNumber("(778) 700-1234", "CA") // { ok: true, e164: "+17787001234", region: "CA" }
 * normalisePhoneNumber("07700 900123", "GB")   // { ok: true, e164: "+447700900123", region: "GB" }
 * normalisePhoneNumber("555", "CA")            // { ok: false, message: "Too short" }
 * ```
 */
export function normalisePhoneNumber(raw: string, defaultRegion: CountryCode): PhoneCheck {
  const value = raw.trim();
  if (!ALLOWED.test(value)) return { ok: false, message: "Must not contain letters or symbols" };
  let parsed;
  try {
    parsed = parsePhoneNumberWithError(value, defaultRegion);
  } catch (err) {
    return failure(err instanceof ParseError ? err.message : undefined);
  }
  if (UK_DRAMA.test(parsed.number)) return { ok: true, e164: parsed.number, region: "GB" };
  if (!parsed.isValid()) return failure(validatePhoneNumberLength(value, defaultRegion));
  if (parsed.getType() === "PREMIUM_RATE") return { ok: false, message: "Premium-rate numbers are not allowed" };
  return { ok: true, e164: parsed.number, ...(parsed.country ? { region: parsed.country } : {}) };
}
