/** GOV.UK Notify's ceiling: 6 concatenated fragments of 153 characters. */
export const SMS_MAX_LENGTH = 918;

const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/** Sent as an escape plus a character, so each takes two of the 160. */
const GSM_EXTENSION = "^{}\\[~]|€\f";
const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

/**
 * Whitespace clean-up before sending (GOV.UK Notify's rules, without its character
 * downgrading): CRLF to LF, no trailing spaces, at most one blank line, no space before , or .
 *
 * @example
 * ```ts
 * normaliseSms("Hello ,  world .\r\n\r\n\r\n\r\nBye ") // "Hello,  world.\n\nBye"
 * ```
 */
export function normaliseSms(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/[ \t]+([,.])/g, "$1")
    .trim();
}

/**
 * Length and fragment count as a phone network bills them: GSM-7 when every character is in the
 * GSM 03.38 set (extension characters take two), otherwise UCS-2 counted in UTF-16 code units.
 *
 * @example
 * ```ts
 * smsStats("a".repeat(161)) // { length: 161, fragments: 2, encoding: "GSM-7" }
 * smsStats("hello 👋")       // { length: 8, fragments: 1, encoding: "UCS-2" }
 * ```
 */
export function smsStats(text: string): { length: number; fragments: number; encoding: "GSM-7" | "UCS-2" } {
  let gsmLength = 0;
  for (const ch of text) {
    if (BASIC.has(ch)) gsmLength += 1;
    else if (EXTENSION.has(ch)) gsmLength += 2;
    else {
      const length = text.length;
      return { length, fragments: length <= 70 ? 1 : Math.ceil(length / 67), encoding: "UCS-2" };
    }
  }
  return { length: gsmLength, fragments: gsmLength <= 160 ? 1 : Math.ceil(gsmLength / 153), encoding: "GSM-7" };
}
