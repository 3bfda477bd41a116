import { Marked, type Token, type Tokens } from "marked";
import { escapeHtml } from "./escape";

const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:", "tel:"]);

/**
 * Whether a link target may stay a link in an email. An allow-list, checked on the address as a
 * browser will read it: character references decoded (`&#106;avascript:` is `javascript:`),
 * control characters and whitespace removed.
 */
export function isSafeHref(href: string): boolean {
  const decoded = href
    .replace(/&#x([0-9a-f]+);?/gi, (_m, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16) || 0xfffd))
    .replace(/&#(\d+);?/g, (_m, dec: string) => String.fromCodePoint(Number.parseInt(dec, 10) || 0xfffd))
    .replace(/&colon;/gi, ":")
    .replace(/&tab;|&newline;/gi, "")
    .replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(decoded)?.[1];
  return scheme !== undefined && SAFE_SCHEMES.has(`${scheme.toLowerCase()}:`);
}

/**
 * One Marked instance for email bodies. Raw HTML in the markdown source is escaped, not passed
 * through: a markdown body is not an HTML body, and passing tags through would let a template
 * (or a value that slipped through) inject markup into the email. A single newline is a line
 * break, as in GOV.UK Notify, because people writing an email expect what they typed.
 */
const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html({ text }) {
      return escapeHtml(text);
    },
    link(token) {
      return isSafeHref(token.href) ? false : this.parser.parseInline(token.tokens);
    },
    image(token) {
      return isSafeHref(token.href) ? false : escapeHtml(token.text);
    },
  },
});

/**
 * @example
 * ```ts
 * markdownToHtml("**Welcome**") // "<p><strong>Welcome</strong></p>\n"
 * ```
 */
export function markdownToHtml(md: string): string {
  return marked.parse(md, { async: false });
}

function inline(tokens: Token[] | undefined): string {
  return (tokens ?? [])
    .map((t) => {
      switch (t.type) {
        case "link": {
          const link = t as Tokens.Link;
          const text = inline(link.tokens);
          return text && text !== link.href ? `${text} (${link.href})` : link.href;
        }
        case "br":
          return "\n";
        case "codespan":
          return (t as Tokens.Codespan).text;
        case "escape":
          return (t as Tokens.Escape).text;
        case "image":
          return (t as Tokens.Image).text;
        default:
          return "tokens" in t && Array.isArray(t.tokens) ? inline(t.tokens) : ((t as { text?: string }).text ?? t.raw);
      }
    })
    .join("");
}

function block(token: Token): string | null {
  switch (token.type) {
    case "space":
      return null;
    case "heading":
    case "paragraph":
      return inline((token as Tokens.Heading | Tokens.Paragraph).tokens);
    case "list": {
      const list = token as Tokens.List;
      return list.items
        .map((item, i) => {
          const marker = list.ordered ? `${Number(list.start || 1) + i}.` : "*";
          const content = item.tokens.map(block).filter((b) => b !== null).join("\n");
          // Continuation lines, nested lists included, sit under the item's text.
          return `${marker} ${content.replace(/\n/g, "\n  ")}`;
        })
        .join("\n");
    }
    case "blockquote":
      return (token as Tokens.Blockquote).tokens.map(block).filter((b) => b !== null).join("\n\n");
    case "hr":
      return "---";
    case "code":
      return (token as Tokens.Code).text;
    case "text":
      return "tokens" in token && token.tokens ? inline(token.tokens) : (token as Tokens.Text).text;
    default:
      return "tokens" in token && Array.isArray(token.tokens) ? inline(token.tokens) : token.raw.trim();
  }
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
export function markdownToText(md: string): string {
  return marked
    .lexer(md)
    .map(block)
    .filter((b): b is string => b !== null && b !== "")
    .join("\n\n")
    .trim();
}
