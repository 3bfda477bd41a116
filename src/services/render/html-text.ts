const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  copy: "©",
  reg: "®",
  hellip: "…",
  ndash: "–",
  mdash: "—",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  pound: "£",
  euro: "€",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code = name[1]?.toLowerCase() === "x" ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

const LINK = /<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>([\s\S]*?)<\/a\s*>/gi;
const BLOCK = /<\/?(?:p|div|h[1-6]|ul|ol|table|blockquote|pre|section|article|header|footer|main|nav|aside|address|hr)\b[^>]*>/gi;

/** "text (url)", or the address alone when the text already is the address. */
function linkText(href: string, inner: string): string {
  const label = inner.replace(/<[^>]*>/g, "").trim();
  return label && label !== href && label !== href.replace(/^mailto:/i, "") ? `${label} (${href})` : label || href;
}

/**
 * A readable plain-text alternative for an HTML email (mail clients without HTML, spam filters):
 * comments, scripts and styles dropped, source whitespace collapsed as a browser would, block
 * elements and `<br>` become line breaks, list items "* ", links keep their address.
 *
 * @example
 * ```ts
 * htmlToText('<p>Hi <a href="https://x.gov">there</a></p><p>Bye</p>') // "Hi there (https://x.gov)\n\nBye"
 * ```
 */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/\s+/g, " ")
    .replace(LINK, (_whole, dq: string | undefined, sq: string | undefined, inner: string) => linkText(dq ?? sq ?? "", inner))
    .replace(/<br\b[^>]*>/gi, "\n")
    .replace(/<li\b[^>]*>/gi, "\n* ")
    .replace(/<\/tr\s*>/gi, "\n")
    .replace(/<\/t[dh]\s*>/gi, " ")
    .replace(BLOCK, "\n\n")
    .replace(/<\/?[a-z][^>]*>|<![^>]*>/gi, "");
  return decodeEntities(text)
    .replace(/[ \t]*\n[ \t]*/g, "\n")
    .replace(/[ \t]{2,}/g, " ")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
