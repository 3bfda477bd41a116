import { SAXParser, type StartTag } from "parse5-sax-parser";
import { escapeHtml } from "./escape";
import { isSafeUrlAttribute } from "./safe-url";

/** Attributes a browser or mail client follows as an address. */
const LINK_ATTRIBUTES = new Set(["href", "action", "formaction", "xlink:href", "cite", "longdesc", "ping", "data", "codebase", "manifest"]);
/** Address attributes that load an image (or other media) rather than navigate. */
const IMAGE_ATTRIBUTES = new Set(["src", "background", "poster", "lowsrc", "dynsrc", "srcset"]);

/** parse5's spec tokenizer, including its simulation of how tree building switches it (script, style, textarea, svg…). */
class StartTagScanner extends SAXParser {
  /** Whether the tag being read repeats an attribute name (the tokenizer keeps only the first). */
  duplicate = false;

  /** Tokenizes the whole string at once, synchronously, as a complete document. */
  scan(html: string): void {
    // The tokenizer reports a repeated attribute only as a parse error, through its handler.
    (this.parserFeedbackSimulator as unknown as { onParseError: (e: { code: string }) => void }).onParseError = (e) => {
      if (e.code === "duplicate-attribute") this.duplicate = true;
    };
    this.tokenizer.write(html, true);
  }
}

function safeAttribute(name: string, value: string): boolean {
  // Event handlers run script; mail clients drop them, and a value in an unquoted attribute
  // (`title={{t}}` with t = "x onclick=…") must not be able to add one.
  if (name.startsWith("on")) return false;
  if (name === "srcset") return value.split(",").every((candidate) => isSafeUrlAttribute(candidate.trim().split(/\s+/)[0] ?? "", true));
  if (IMAGE_ATTRIBUTES.has(name)) return isSafeUrlAttribute(value, true);
  if (LINK_ATTRIBUTES.has(name)) return isSafeUrlAttribute(value, false);
  return true;
}

/**
 * The start tag again without its unsafe attributes, and without repeated ones. Written anew
 * rather than cut, because the tokenizer reports only the first of duplicate attributes: cutting
 * `href="javascript:1"` out of `<a href="javascript:1" href="javascript:2">` would bring the
 * second to life, and a mail client's own parser may keep the last rather than the first.
 */
function rewriteTag(tag: StartTag): string {
  const attrs = tag.attrs.filter(({ name, value }) => safeAttribute(name, value)).map(({ name, value }) => ` ${name}="${escapeHtml(value)}"`);
  return `<${tag.tagName}${attrs.join("")}${tag.selfClosing ? " /" : ""}>`;
}

/**
 * Removes every event-handler attribute (`onclick`, …) and every address attribute whose scheme
 * is not allowed (`javascript:`, `vbscript:`, `data:text/html`, …) from an HTML body, however it
 * came to be there: typed by the tenant,
 * or formed by a parameter in `href="{{url}}"`. The document is read by a spec-conformant
 * tokenizer, so character references, case and stray whitespace are seen as a browser sees them;
 * everything else is left byte for byte as written. Linear in the size of the HTML.
 *
 * @example
 * ```ts
 * removeActiveAttributes('<a href="java&#115;cript:alert(1)">x</a> <a href="https://x.gov">y</a>')
 * // '<a>x</a> <a href="https://x.gov">y</a>'
 * ```
 */
export function removeActiveAttributes(html: string): string {
  const rewrites: { start: number; end: number; tag: string }[] = [];
  const scanner = new StartTagScanner({ sourceCodeLocationInfo: true });
  scanner.on("startTag", (tag: StartTag) => {
    const at = tag.sourceCodeLocation;
    if (at && (scanner.duplicate || !tag.attrs.every(({ name, value }) => safeAttribute(name, value)))) {
      rewrites.push({ start: at.startOffset, end: at.endOffset, tag: rewriteTag(tag) });
    }
    scanner.duplicate = false;
  });
  scanner.scan(html);
  if (rewrites.length === 0) return html;
  let out = "";
  let from = 0;
  for (const { start, end, tag } of rewrites) {
    out += html.slice(from, start) + tag;
    from = end;
  }
  return out + html.slice(from);
}
