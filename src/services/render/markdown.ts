import MarkdownIt, { type StateCore, type Token } from "markdown-it";
import { RenderLimitError } from "./errors";
import { MAX_MARKDOWN_BYTES, MAX_MARKDOWN_NESTING } from "./limits";
import { isSafeHref } from "./safe-url";

export { isSafeHref } from "./safe-url";

/**
 * One markdown-it instance for email bodies. markdown-it rather than marked: its parser is
 * linear on adversarial input (marked is quadratic on runs of `*a`, `_a`, `*_a`, and overflows
 * the stack on deep nesting), and `maxNesting` bounds its recursion. Raw HTML in the source is
 * shown as text, not passed through: a markdown body is not an HTML body. A single newline is a
 * line break, as in GOV.UK Notify, because people writing an email expect what they typed. Bare
 * `https://…` addresses and email addresses become links; `www.x` and `x.gov` without a scheme do
 * not (fuzzy matching links file names such as `readme.md`).
 */
const md = new MarkdownIt("default", {
  html: false,
  breaks: true,
  linkify: true,
  // Deep enough that MAX_MARKDOWN_NESTING lists (two levels each: list and item) parse fully,
  // so the depth check below sees them; deeper input is cut off by markdown-it, never recursed into.
  maxNesting: 2 * MAX_MARKDOWN_NESTING + 10,
});
md.linkify.set({ fuzzyLink: false });
// Every link is parsed, whatever its scheme; the allow-list is applied below, keeping the text.
md.validateLink = () => true;
md.core.ruler.after("linkify", "drop_unsafe_links", dropUnsafeLinks);
// Strikethrough as <del>, as GFM (and this service before markdown-it) writes it.
md.renderer.rules.s_open = () => "<del>";
md.renderer.rules.s_close = () => "</del>";

/**
 * Removes links whose address is not allowed (keeping their text), and turns images whose
 * address is not allowed into their alt text, in both the HTML and the text alternative.
 */
function dropUnsafeLinks(state: StateCore): void {
  for (const block of state.tokens) {
    if (block.type !== "inline" || !block.children) continue;
    const kept: Token[] = [];
    const dropped: boolean[] = [];
    for (const token of block.children) {
      if (token.type === "link_open") {
        const drop = !isSafeHref(String(token.attrGet("href") ?? ""));
        dropped.push(drop);
        if (drop) continue;
      } else if (token.type === "link_close") {
        if (dropped.pop()) continue;
      } else if (token.type === "image" && !isSafeHref(String(token.attrGet("src") ?? ""))) {
        const alt = new state.Token("text", "", 0);
        alt.content = token.content;
        kept.push(alt);
        continue;
      }
      kept.push(token);
    }
    block.children = kept;
  }
}

function utf8Bytes(text: string): number {
  return text.length > MAX_MARKDOWN_BYTES ? text.length : new TextEncoder().encode(text).byteLength;
}

/** The deepest blockquote/list nesting in a token stream. */
function nestingOf(tokens: Token[]): number {
  let depth = 0;
  let deepest = 0;
  for (const token of tokens) {
    if (token.type === "blockquote_open" || token.type === "bullet_list_open" || token.type === "ordered_list_open") {
      deepest = Math.max(deepest, ++depth);
    } else if (token.type === "blockquote_close" || token.type === "bullet_list_close" || token.type === "ordered_list_close") {
      depth--;
    }
  }
  return deepest;
}

/** Parses after checking the size, then checks the nesting; a message for the first bound exceeded. */
function parseBounded(source: string): Token[] | string {
  const bytes = utf8Bytes(source);
  if (bytes > MAX_MARKDOWN_BYTES) return `The markdown is longer than ${MAX_MARKDOWN_BYTES} bytes`;
  const tokens = md.parse(source, {});
  if (nestingOf(tokens) > MAX_MARKDOWN_NESTING) return `Blockquotes and lists are nested more than ${MAX_MARKDOWN_NESTING} deep`;
  return tokens;
}

/**
 * Why a markdown source cannot be rendered (too large, nested too deep), or null when it can.
 * For checking a template body when it is stored; sends check the rendered body the same way.
 *
 * @example
 * ```ts
 * checkMarkdown("**Hi**")            // null
 * checkMarkdown(">".repeat(30) + " a") // "Blockquotes and lists are nested more than 20 deep"
 * ```
 */
export function checkMarkdown(source: string): string | null {
  const parsed = parseBounded(source);
  return typeof parsed === "string" ? parsed : null;
}

/** "text (url)", or the address alone when the text already is the address. */
function linkText(label: string, href: string): string {
  return label && label !== href && label !== href.replace(/^mailto:/i, "") ? `${label} (${href})` : label || href;
}

function inlineText(children: Token[] | null): string {
  let out = "";
  let link: { href: string; start: number } | null = null;
  for (const token of children ?? []) {
    switch (token.type) {
      case "text":
      case "code_inline":
        out += token.content;
        break;
      case "softbreak":
      case "hardbreak":
        out += "\n";
        break;
      case "image":
        out += token.content;
        break;
      case "link_open":
        link = { href: String(token.attrGet("href") ?? ""), start: out.length };
        break;
      case "link_close":
        if (link) out = out.slice(0, link.start) + linkText(out.slice(link.start), link.href);
        link = null;
        break;
      default:
        break;
    }
  }
  return out;
}

interface Frame {
  kind: "root" | "blockquote" | "list" | "item" | "table" | "row";
  blocks: string[];
  /** Lists: the number of the first item, or null for "*" bullets. */
  start?: number | null;
}

/** Lays a closed container's blocks out as one block of its parent. */
function close(frame: Frame, parent: Frame): void {
  if (frame.kind === "item") {
    const marker = parent.start == null ? "*" : `${parent.start + parent.blocks.length}.`;
    // Continuation lines, nested lists included, sit under the item's text.
    parent.blocks.push(`${marker} ${frame.blocks.join("\n").replace(/\n/g, "\n  ")}`);
  } else if (frame.kind === "row") {
    parent.blocks.push(frame.blocks.join(" | "));
  } else if (frame.blocks.length > 0) {
    parent.blocks.push(frame.blocks.join(frame.kind === "blockquote" ? "\n\n" : "\n"));
  }
}

/** The plain-text alternative of parsed markdown, walking the flat token stream with an explicit stack. */
function tokensToText(tokens: Token[]): string {
  const stack: Frame[] = [{ kind: "root", blocks: [] }];
  const top = () => stack[stack.length - 1]!;
  for (const token of tokens) {
    switch (token.type) {
      case "blockquote_open":
        stack.push({ kind: "blockquote", blocks: [] });
        break;
      case "bullet_list_open":
        stack.push({ kind: "list", blocks: [], start: null });
        break;
      case "ordered_list_open":
        stack.push({ kind: "list", blocks: [], start: Number(token.attrGet("start") ?? 1) });
        break;
      case "list_item_open":
        stack.push({ kind: "item", blocks: [] });
        break;
      case "table_open":
        stack.push({ kind: "table", blocks: [] });
        break;
      case "tr_open":
        stack.push({ kind: "row", blocks: [] });
        break;
      case "blockquote_close":
      case "bullet_list_close":
      case "ordered_list_close":
      case "list_item_close":
      case "table_close":
      case "tr_close": {
        const frame = stack.pop()!;
        close(frame, top());
        break;
      }
      case "inline":
        top().blocks.push(inlineText(token.children));
        break;
      case "hr":
        top().blocks.push("---");
        break;
      case "code_block":
      case "fence":
        top().blocks.push(token.content.replace(/\n$/, ""));
        break;
      default:
        break;
    }
  }
  return stack[0]!.blocks.filter((b) => b !== "").join("\n\n").trim();
}

/**
 * Markdown to an HTML body and its plain-text alternative, parsed once. Refuses, as a
 * RenderLimitError, a source over MAX_MARKDOWN_BYTES or nested deeper than MAX_MARKDOWN_NESTING.
 *
 * @example
 * ```ts
 * renderMarkdown("# Hi\n\nSee [the form](https://x.gov)")
 * // { html: '<h1>Hi</h1>\n<p>See <a href="https://x.gov">the form</a></p>\n', text: "Hi\n\nSee the form (https://x.gov)" }
 * ```
 */
export function renderMarkdown(source: string): { html: string; text: string } {
  const parsed = parseBounded(source);
  if (typeof parsed === "string") throw new RenderLimitError(parsed);
  return { html: md.renderer.render(parsed, md.options, {}), text: tokensToText(parsed) };
}

/**
 * @example
 * ```ts
 * markdownToHtml("**Welcome**") // "<p><strong>Welcome</strong></p>\n"
 * ```
 */
export function markdownToHtml(source: string): string {
  return renderMarkdown(source).html;
}

/**
 * The plain-text alternative of a markdown body: headings and paragraphs as lines separated by a
 * blank line, "* " list items, links as "text (url)".
 *
 * @example
 * ```ts
 * markdownToText("# Hi\n\nSee [the form](https://x.gov)") // "Hi\n\nSee the form (https://x.gov)"
 * ```
 */
export function markdownToText(source: string): string {
  return renderMarkdown(source).text;
}
