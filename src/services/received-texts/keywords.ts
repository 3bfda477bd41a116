/**
 * The opt-out words of GOV.UK Notify's family for SMS: GOV.UK Notify's US fork (Notify.gov) and
 * GC Notify send through AWS End User Messaging, whose required opt-out keywords these are
 * (ARRET is Canada's French one), plus Twilio's STOPALL, since Twilio is an adapter here too.
 */
export const OPT_OUT_WORDS: readonly string[] = ["ARRET", "CANCEL", "END", "OPT-OUT", "OPTOUT", "QUIT", "REMOVE", "STOP", "STOPALL", "TD", "UNSUBSCRIBE"];

/** The words that undo an opt-out, as Twilio and AWS End User Messaging take them. */
export const OPT_IN_WORDS: readonly string[] = ["START", "UNSTOP"];

const OUT = new Set(OPT_OUT_WORDS);
const IN = new Set(OPT_IN_WORDS);

/** Longest word above: a longer text is never a keyword, and is not upper-cased for nothing. */
const LONGEST = Math.max(...[...OUT, ...IN].map((w) => w.length));

/**
 * Longest body still read as a keyword before normalising: room for a word padded with
 * invisible characters, while a long text is not normalised for nothing.
 */
const LONGEST_RAW = 256;

/** Format characters (zero-width space and joiners, BOM, bidi marks): invisible, so not part of what was typed. */
const FORMAT_CHARS = /\p{Cf}/gu;

/**
 * What a received text asks for when its whole body (trimmed, any case) is one of the words
 * above: `out` (stop texting me), `in` (start again), or null for any other text ("Stop
 * sending me these" is a message for a person to read, not a keyword). The body is read as a
 * person sees it: NFKC-normalised (full-width `ＳＴＯＰ` is STOP) and without format characters
 * (a keyboard or a copy and paste may add a zero-width space), so an opt-out is never missed
 * for a character nobody can see.
 *
 * @example
 * ```ts
 * keywordOf(" stop\n")            // "out"
 * keywordOf("STOP\u200b")         // "out"
 * keywordOf("ＳＴＯＰ")             // "out"
 * keywordOf("Unstop")             // "in"
 * keywordOf("please stop")        // null
 * ```
 */
export function keywordOf(content: string): "out" | "in" | null {
  if (content.length > LONGEST_RAW) return null;
  const word = content.normalize("NFKC").replace(FORMAT_CHARS, "").trim();
  if (word.length === 0 || word.length > LONGEST) return null;
  const upper = word.toUpperCase();
  if (OUT.has(upper)) return "out";
  if (IN.has(upper)) return "in";
  return null;
}
