const LINK_SCHEMES = new Set(["http", "https", "mailto", "tel"]);
/** Inline images in emails come from the web, from an attachment (`cid:`) or embedded. */
const IMAGE_SCHEMES = new Set(["http", "https", "cid"]);
const DATA_IMAGE = /^data:image\/(?:png|gif|jpeg|webp)[;,]/i;

/** The address as a browser reads it: character references decoded, tabs, newlines and control characters dropped. */
function asBrowserReads(url: string): string {
  return url
    .replace(/&#x([0-9a-f]+);?/gi, (_m, hex: string) => String.fromCodePoint(Math.min(Number.parseInt(hex, 16), 0x10ffff) || 0xfffd))
    .replace(/&#(\d+);?/g, (_m, dec: string) => String.fromCodePoint(Math.min(Number.parseInt(dec, 10), 0x10ffff) || 0xfffd))
    .replace(/&colon;/gi, ":")
    .replace(/&tab;|&newline;/gi, "")
    .replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
}

function schemeOf(decoded: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):/i.exec(decoded)?.[1]?.toLowerCase();
}

/**
 * Whether a markdown link target may stay a link in an email: an allow-list (http, https,
 * mailto, tel), checked on the address as a browser will read it, so `&#106;avascript:`,
 * `java\tscript:` and `JAVASCRIPT:` are all refused. An address without a scheme is refused too.
 *
 * @example
 * ```ts
 * isSafeHref("https://x.gov")          // true
 * isSafeHref("&#106;avascript:alert(1)") // false
 * ```
 */
export function isSafeHref(href: string): boolean {
  const scheme = schemeOf(asBrowserReads(href));
  return scheme !== undefined && LINK_SCHEMES.has(scheme);
}

/**
 * Whether a URL attribute of an HTML body may stay as it is. Relative addresses (no scheme:
 * `#top`, `/path`) cannot run anything and pass; otherwise the scheme must be on the allow-list:
 * http, https, mailto and tel for links and forms, http, https, cid and raster `data:image/…`
 * for images (`image` true).
 *
 * @example
 * ```ts
 * isSafeUrlAttribute(" javascript:alert(1)", false) // false
 * isSafeUrlAttribute("cid:logo", true)               // true
 * isSafeUrlAttribute("#top", false)                  // true
 * ```
 */
export function isSafeUrlAttribute(value: string, image: boolean): boolean {
  const decoded = asBrowserReads(value);
  const scheme = schemeOf(decoded);
  if (scheme === undefined) return true;
  if (image) return IMAGE_SCHEMES.has(scheme) || DATA_IMAGE.test(decoded);
  return LINK_SCHEMES.has(scheme);
}
