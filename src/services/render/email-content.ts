import { removeActiveContent } from "./active-attributes";
import { MissingParamsCollector, renderTemplate } from "./engine";
import { htmlToText } from "./html-text";
import { MAX_BODY_OUTPUT, MAX_FIELD_OUTPUT } from "./limits";
import { renderMarkdown } from "./markdown";
import type { Renderer } from "./renderer";

export type BodyType = "text" | "html" | "markdown";

export interface EmailContent {
  subject: string;
  body: string;
  bodyType: BodyType;
}

export interface RenderedEmailContent extends EmailContent {
  text?: string;
  html?: string;
}

/**
 * Renders an email. Values are escaped for what the body is (none for text, HTML entities for
 * HTML, markdown-inert for markdown), in every tag form; markdown becomes HTML plus a plain-text
 * alternative (both from the escaped source); an HTML body loses its active content (scripts and
 * frames, event handlers, `srcdoc`, addresses outside the allow-list, active CSS: see
 * removeActiveContent; a `javascript:` link formed by a value included) and gets a derived text
 * alternative. Every missing parameter, subject and body together, is reported in one
 * MissingParamsError; a body or subject past the bounds in limits.ts is a RenderLimitError.
 *
 * @example
 * ```ts
 * renderEmailContent({ subject: "Hi {{n}}", body: "**{{n}}**", bodyType: "markdown" }, { n: "Ann" }, "mustache")
 * // { subject: "Hi Ann", body: "**Ann**", bodyType: "markdown", html: "<p><strong>Ann</strong></p>\n", text: "Ann" }
 * ```
 */
export function renderEmailContent(content: EmailContent, params: Record<string, unknown>, renderer: Renderer): RenderedEmailContent {
  const missing = new MissingParamsCollector();
  const render = (template: string, escape: "none" | "html" | "markdown", maxOutput = MAX_BODY_OUTPUT) =>
    missing.attempt(() => renderTemplate(template, params, { renderer, escape, maxOutput }), "");
  const subject = render(content.subject, "none", MAX_FIELD_OUTPUT).replace(/\s*[\r\n]+\s*/g, " ").trim();
  let result: RenderedEmailContent;
  if (content.bodyType === "html") {
    const html = removeActiveContent(render(content.body, "html"));
    result = { subject, body: html, bodyType: "html", html, text: htmlToText(html) };
  } else if (content.bodyType === "markdown") {
    // Both alternatives come from the escaped source, so a value shows as typed in each.
    const inert = renderMarkdown(render(content.body, "markdown"));
    result = { subject, body: render(content.body, "none"), bodyType: "markdown", html: inert.html, text: inert.text };
  } else {
    const text = render(content.body, "none");
    result = { subject, body: text, bodyType: "text", text };
  }
  missing.throwIfAny();
  return result;
}
