/** What the rendered text is: plain text, HTML, or markdown to be turned into HTML. */
export type EscapeMode = "none" | "html" | "markdown";

const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * @example
 * ```ts
 * escapeHtml(`<a href="x">Tom & Jerry's</a>`) // "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
 * ```
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/**
 * Makes a value inert inside markdown: every ASCII punctuation character is backslash-escaped
 * (CommonMark allows that for all of them), so `[x](y)`, `*x*` or `<b>` in a parameter render as
 * the characters typed, not as a link, emphasis or HTML.
 *
 * @example
 * ```ts
 * escapeMarkdown("[click](http://evil)") // "\\[click\\]\\(http\\:\\/\\/evil\\)"
 * ```
 */
export function escapeMarkdown(value: string): string {
  return value.replace(/[!-/:-@[-`{-~]/g, "\\$&");
}

/**
 * @example
 * ```ts
 * escapeFor("html")("<b>") // "&lt;b&gt;"
 * escapeFor("none")("<b>") // "<b>"
 * ```
 */
export function escapeFor(mode: EscapeMode): (value: string) => string {
  if (mode === "html") return escapeHtml;
  if (mode === "markdown") return escapeMarkdown;
  return (value) => value;
}
