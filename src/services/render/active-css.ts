import { isSafeUrlAttribute } from "./safe-url";

/**
 * One CSS token at a time, in source order: a string, an escape, or a comment. Strings and escapes
 * are matched first at each position so that `"/*"` or `\/*` never start a comment that would hide
 * the CSS after it; as in a CSS tokenizer, a string ends at an unescaped newline and an
 * unterminated comment runs to the end.
 */
const CSS_TOKENS = /"(?:[^"\\\n\r\f]|\\[\s\S])*"?|'(?:[^'\\\n\r\f]|\\[\s\S])*'?|\\[\s\S]|\/\*[\s\S]*?(?:\*\/|$)/g;
/** `\6A`, `\00006a ` (one whitespace ends a hex escape), a line continuation, or `\x` for x itself. */
const CSS_ESCAPE = /\\(?:([0-9a-f]{1,6})(?:\r\n|[ \t\r\n\f])?|(\r\n|[\r\n\f])|([\s\S]))/gi;

function withoutComments(css: string): string {
  return css.replace(CSS_TOKENS, (token) => (token.startsWith("/*") ? "" : token));
}

function unescapeCss(css: string): string {
  return css.replace(CSS_ESCAPE, (_m, hex: string | undefined, newline: string | undefined, char: string | undefined) => {
    if (hex !== undefined) {
      const code = Number.parseInt(hex, 16);
      return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? "\uFFFD" : String.fromCodePoint(code);
    }
    return newline !== undefined ? "" : char!;
  });
}

/** IE's `behavior: url(#default#VML)` names a built-in behaviour (Outlook VML templates rely on it); any other loads script. */
const BUILT_IN_BEHAVIOR = /^(?:url\((["']?)#default#[a-z0-9]+\1\)!?(?:important)?,?)+$/i;

function activeIn(css: string): boolean {
  // Old engines (IE) read full-width letters as ASCII ones in CSS, and browsers drop tabs,
  // newlines and controls inside addresses: compare what such a reader would see.
  const text = css.normalize("NFKC");
  const compact = text.replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
  // expression() and bindings run script in old IE and Firefox; an address with a script scheme
  // anywhere (url(), @import "…", image-set("…")) is one no stylesheet needs.
  if (/expression\(|-moz-binding|(?<![a-z0-9+.-])(?:java|vb|live)script:/i.test(compact)) return true;
  for (const [, value] of compact.matchAll(/behavior:([^;}]*)/gi)) {
    if (!BUILT_IN_BEHAVIOR.test(value!)) return true;
  }
  for (const [, double, single, bare] of text.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*))/gi)) {
    if (!isSafeUrlAttribute((double ?? single ?? bare ?? "").trim(), true)) return true;
  }
  return false;
}

/**
 * Whether a stylesheet or `style` attribute value can run script or load a non-image address:
 * `expression(…)`, `-moz-binding`, `behavior:` other than IE's built-in `url(#default#…)`, a
 * `javascript:` / `vbscript:` address anywhere, or a `url(…)` whose scheme is not one an image
 * may use (http, https, cid, raster `data:image/…`; relative addresses pass). Read as a CSS
 * engine reads it: escapes (`\65 xpression`), comments (`ex/**\/pression`) and full-width
 * letters do not hide anything. Linear in the length of the CSS.
 *
 * @example
 * ```ts
 * isActiveCss("color: red; background: url(https://x.gov/a.png)") // false
 * isActiveCss("background: url(java\\73 cript:alert(1))")        // true
 * isActiveCss("width: ex/**\/pression(alert(1))")                  // true
 * ```
 */
export function isActiveCss(css: string): boolean {
  // Both with comments removed (CSS joins what they separate) and as written (in case a reader
  // does not see one as a comment): a stylesheet active either way is refused.
  return activeIn(unescapeCss(withoutComments(css))) || activeIn(unescapeCss(css));
}
