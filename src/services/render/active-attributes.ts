import { SAXParser, type EndTag, type StartTag, type Text } from "parse5-sax-parser";
import { isActiveCss } from "./active-css";
import { RenderLimitError } from "./errors";
import { escapeHtml } from "./escape";
import { isSafeUrlAttribute } from "./safe-url";

/** Attributes a browser or mail client follows as an address. */
const LINK_ATTRIBUTES = new Set(["href", "action", "xlink:href", "cite", "longdesc", "ping", "data", "codebase", "manifest"]);
/** Address attributes that load an image (or other media) rather than navigate. */
const IMAGE_ATTRIBUTES = new Set(["src", "background", "poster", "lowsrc", "dynsrc", "srcset"]);
/**
 * Attributes that are active whatever their value: a whole document (`srcdoc`), a form's
 * destination hidden in a button (`formaction`; the form's own `action` is checked as an address).
 */
const ACTIVE_ATTRIBUTES = new Set(["srcdoc", "formaction"]);
/** Attributes read as CSS: `style`, and the SVG presentation attributes that take `url(…)`. */
const CSS_ATTRIBUTES = new Set(["style", "fill", "stroke", "filter", "clip-path", "mask", "marker-start", "marker-mid", "marker-end", "cursor"]);

/**
 * Elements that run script or load another document, removed with their content: a script's text
 * is the script, and the others' content is raw text to a browser (or, for noscript in a client
 * that runs no script, markup this scanner would not have read as markup), so it goes too.
 */
const REMOVED_WITH_CONTENT = new Set(["script", "iframe", "noscript", "noembed", "noframes", "handler"]);
/**
 * Elements that embed plugins or documents, rebase every address, or (SVG animation) set an
 * attribute such as `href` to any value at run time; their tags go, their content stays (and is
 * cleaned like the rest).
 */
const REMOVED_TAGS = new Set([
  "object", "embed", "applet", "param", "base", "frame", "frameset", "portal",
  "animate", "animatemotion", "animatetransform", "animatecolor", "set",
]);
/** `<meta http-equiv>` values that describe the document; any other (refresh, set-cookie, …) acts. */
const META_HTTP_EQUIV = new Set(["content-type", "x-ua-compatible", "content-language"]);
/** `<link rel>` values that only style or describe the document (no `import`, `prefetch`, …). */
const LINK_REL = new Set(["stylesheet", "alternate", "icon", "shortcut", "preconnect", "dns-prefetch"]);
/** Removal can join what it separated (`<` + tag, a breakout tag that kept SVG out of a style…); each pass is checked again. */
const MAX_PASSES = 6;

/** parse5's spec tokenizer, including its simulation of how tree building switches it (script, style, textarea, svg…). */
class Scanner extends SAXParser {
  /** Whether the tag being read repeats an attribute name (the tokenizer keeps only the first). */
  duplicate = false;

  /** Whether the tag just reported sits in SVG or MathML, where `<script/>` closes itself. */
  get inForeignContent(): boolean {
    return this.parserFeedbackSimulator.inForeignContent;
  }

  /** Tokenizes the whole string at once, synchronously, as a complete document. */
  scan(html: string): void {
    // The tokenizer reports a repeated attribute only as a parse error, through its handler.
    (this.parserFeedbackSimulator as unknown as { onParseError: (e: { code: string }) => void }).onParseError = (e) => {
      if (e.code === "duplicate-attribute") this.duplicate = true;
    };
    this.tokenizer.write(html, true);
  }
}

type Attr = StartTag["attrs"][number];

/** The attribute's name as written (parse5 moves `xlink:` of SVG attributes into `prefix`). */
const nameOf = (attr: Attr) => (attr.prefix ? `${attr.prefix}:${attr.name}` : attr.name);

function safeAttribute(attr: Attr): boolean {
  const name = nameOf(attr).toLowerCase();
  const value = attr.value;
  // Event handlers run script; mail clients drop them, and a value in an unquoted attribute
  // (`title={{t}}` with t = "x onclick=…") must not be able to add one.
  if (name.startsWith("on") || ACTIVE_ATTRIBUTES.has(name)) return false;
  if (CSS_ATTRIBUTES.has(name)) return !isActiveCss(value);
  if (name === "srcset") return value.split(",").every((candidate) => isSafeUrlAttribute(candidate.trim().split(/\s+/)[0] ?? "", true));
  if (IMAGE_ATTRIBUTES.has(name)) return isSafeUrlAttribute(value, true);
  if (LINK_ATTRIBUTES.has(name)) return isSafeUrlAttribute(value, false);
  return true;
}

const attribute = (tag: StartTag, name: string) => tag.attrs.find((a) => nameOf(a).toLowerCase() === name)?.value;

/** Whether the whole element goes (its tag; REMOVED_WITH_CONTENT is handled by the caller). */
function removedTag(name: string, tag: StartTag): boolean {
  if (REMOVED_TAGS.has(name)) return true;
  if (name === "meta") {
    const equiv = attribute(tag, "http-equiv");
    // UTF-7 turns `+ADw-script+AD4-` into a script tag in clients that honour it.
    const utf7 = /utf-?7/i.test(`${attribute(tag, "charset") ?? ""} ${attribute(tag, "content") ?? ""}`);
    return utf7 || (equiv !== undefined && !META_HTTP_EQUIV.has(equiv.trim().toLowerCase()));
  }
  if (name === "link") return !(attribute(tag, "rel") ?? "").toLowerCase().split(/\s+/).filter(Boolean).every((rel) => LINK_REL.has(rel));
  return false;
}

/**
 * The start tag again without its unsafe attributes, and without repeated ones. Written anew
 * rather than cut, because the tokenizer reports only the first of duplicate attributes: cutting
 * `href="javascript:1"` out of `<a href="javascript:1" href="javascript:2">` would bring the
 * second to life, and a mail client's own parser may keep the last rather than the first.
 */
function rewriteTag(tag: StartTag): string {
  const attrs = tag.attrs.filter(safeAttribute).map((a) => ` ${nameOf(a)}="${escapeHtml(a.value)}"`);
  return `<${tag.tagName}${attrs.join("")}${tag.selfClosing ? " /" : ""}>`;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** One scan: every edit the document needs as the tokenizer reads it, in source order. */
function editsFor(html: string): Edit[] {
  const edits: Edit[] = [];
  /** Replaces `start…end`, dropping earlier edits inside it (a tag rewritten in content that goes). */
  const cut = (start: number, end: number) => {
    while (edits.length > 0 && edits.at(-1)!.start >= start) edits.pop();
    edits.push({ start, end, text: "" });
  };
  const scanner = new Scanner({ sourceCodeLocationInfo: true });
  /** An element removed with its content: its name and where its start tag began. */
  let skipping: { name: string; start: number } | undefined;
  /** A `<style>` being read: where its content starts and its text so far. */
  let style: { start: number; css: string } | undefined;

  scanner.on("startTag", (tag: StartTag) => {
    const duplicate = scanner.duplicate;
    scanner.duplicate = false;
    const at = tag.sourceCodeLocation!;
    if (skipping) return;
    const name = tag.tagName.toLowerCase();
    if (REMOVED_WITH_CONTENT.has(name)) {
      // `<script/>` closes itself only in SVG or MathML; in HTML its content follows regardless.
      if (tag.selfClosing && scanner.inForeignContent) cut(at.startOffset, at.endOffset);
      else skipping = { name, start: at.startOffset };
      return;
    }
    if (removedTag(name, tag)) return cut(at.startOffset, at.endOffset);
    if (duplicate || !tag.attrs.every(safeAttribute)) edits.push({ start: at.startOffset, end: at.endOffset, text: rewriteTag(tag) });
    if (name === "style" && !style && !tag.selfClosing) style = { start: at.endOffset, css: "" };
  });
  scanner.on("text", (text: Text) => {
    if (style && !skipping) style.css += text.text;
  });
  scanner.on("endTag", (tag: EndTag) => {
    const at = tag.sourceCodeLocation!;
    const name = tag.tagName.toLowerCase();
    if (skipping) {
      if (name === skipping.name) {
        cut(skipping.start, at.endOffset);
        skipping = undefined;
      }
      return;
    }
    if (REMOVED_WITH_CONTENT.has(name) || REMOVED_TAGS.has(name)) return cut(at.startOffset, at.endOffset);
    if (name === "style" && style) {
      // A stylesheet keeps its element and loses its rules: no partial CSS rewrite to get wrong.
      if (isActiveCss(style.css)) cut(style.start, at.startOffset);
      style = undefined;
    }
  });
  scanner.scan(html);
  // Unclosed at the end: a removed element runs to the end, and so does an active stylesheet
  // (which may hold the removed element; its cut then covers both).
  if (skipping) cut(skipping.start, html.length);
  if (style && isActiveCss(style.css)) cut(style.start, html.length);
  return edits;
}

/**
 * The document with one scan's edits applied, and whether any of them removed something. Only a
 * removal can change how the rest reads: a rewritten tag keeps its name and every attribute that
 * steers the parser (SVG's `<font color>`, `<annotation-xml encoding>`), so it reads as before.
 */
function cleanOnce(html: string): { html: string; removed: boolean } {
  const edits = editsFor(html);
  if (edits.length === 0) return { html, removed: false };
  let out = "";
  let from = 0;
  for (const { start, end, text } of edits) {
    let kept = html.slice(from, start);
    // A `<` just before a removed tag was text (`<<script>`); with the tag gone it would open
    // whatever follows, so it is written as the text it was.
    if (text === "" && kept.endsWith("<")) kept = `${kept.slice(0, -1)}&lt;`;
    out += kept + text;
    from = end;
  }
  return { html: out + html.slice(from), removed: edits.some((e) => e.text === "") };
}

/**
 * Removes active content from an HTML body, however it came to be there: typed by the tenant, or
 * formed by a parameter (`href="{{url}}"`, `srcdoc="{{p}}"`, `style="{{s}}"`). Goes:
 * - script and document elements with their content (`script`, `iframe`, `noscript`, `noembed`,
 *   `noframes`), and the tags of `object`, `embed`, `applet`, `param`, `base`, `frame`,
 *   `frameset`, `portal` and the SVG animation elements (`animate`, `set`, …), whose content stays;
 * - `<meta http-equiv>` other than content-type, x-ua-compatible and content-language (refresh…),
 *   a UTF-7 charset, and `<link>` other than stylesheets, icons and preconnects (`rel=import`…);
 * - event handlers (`onclick`, …), `srcdoc`, `formaction`, and address attributes (`href`, `src`,
 *   `action`, `srcset`, …) whose scheme is not allowed (`javascript:`, `data:text/html`, …);
 * - `style` attributes (and SVG `fill`, `stroke`, … values) with active CSS (see isActiveCss), and
 *   the rules of a `<style>` element holding any (the element stays, empty).
 *
 * The document is read by a spec-conformant tokenizer, so character references, case and stray
 * whitespace are seen as a browser sees them; everything else is left byte for byte as written.
 * Removing can join what it separated, so after a removal the result is scanned again, until a
 * scan removes nothing.
 * Linear in the size of the HTML; content nested so that it needs more than MAX_PASSES scans is
 * refused with a RenderLimitError (a 422 at the body) rather than sent half-cleaned.
 *
 * @example
 * ```ts
 * removeActiveContent('<a href="java&#115;cript:alert(1)">x</a><script>alert(1)</script> <a href="https://x.gov">y</a>')
 * // '<a>x</a> <a href="https://x.gov">y</a>'
 * ```
 */
export function removeActiveContent(html: string): string {
  let current = html;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const { html: next, removed } = cleanOnce(current);
    if (!removed) return next;
    current = next;
  }
  throw new RenderLimitError(`The HTML body nests active content too deeply to be made safe (still changing after ${MAX_PASSES} passes)`);
}
