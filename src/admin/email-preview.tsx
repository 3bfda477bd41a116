/**
 * Email previews keep the tenant's styling without loosening the page's CSP.
 *
 * A `srcdoc` frame inherits the page's policy, which allows no inline style, and almost every
 * email is styled inline (`style="…"` attributes) or with a `<style>` element in its head. Both
 * are moved into `<style nonce>` elements carrying this response's nonce, which the page's
 * policy admits for styles only (`style-src 'self' 'nonce-…'`), so the preview looks like the
 * email while the admin page itself still admits no tenant style and no script. Images and
 * fonts from elsewhere stay blocked (no third-party requests from the admin UI, and a preview
 * should not tell a tracker that someone looked).
 */

/** Marks an element whose inline style became a rule; the value is the rule's number. */
const STYLE_MARK = "data-en-style";

/**
 * `:is()` takes its most specific argument's weight, so each moved rule outweighs any id or class
 * rule of the email's own stylesheet, as the inline style it replaces did.
 */
const INLINE_WEIGHT = "#en-inline#en-inline#en-inline";

/**
 * A declaration list that cannot leave its rule: no braces (no new rules), no `<` (no end to the
 * `<style>` element), no backslash (no escapes spelling either). Anything else is only style.
 */
const SAFE_DECLARATIONS = /^[^{}<\\]*$/;

/**
 * Rewrites tenant email HTML for a sandboxed `srcdoc` preview: each `style` attribute becomes a
 * rule in one `<style nonce>` element appended to the document, and the email's own `<style>`
 * elements get the nonce. The HTML is otherwise passed through as is (the frame's `sandbox=""`
 * keeps scripts, forms and navigation off).
 *
 * @example
 * ```ts
 * const doc = await previewDocument('<p style="color:red">Hi</p>', c.get("cspNonce"));
 * // '<p data-en-style="0">Hi</p><style nonce="…">:is([data-en-style="0"],#en-inline…){color:red}</style>'
 * ```
 */
export async function previewDocument(html: string, nonce: string): Promise<string> {
  const rules: string[] = [];
  const rewriter = new HTMLRewriter()
    .on("[style]", {
      element(element) {
        const declarations = element.getAttribute("style") ?? "";
        element.removeAttribute("style");
        if (!SAFE_DECLARATIONS.test(declarations) || declarations.trim() === "") return;
        element.setAttribute(STYLE_MARK, String(rules.length));
        rules.push(`:is([${STYLE_MARK}="${rules.length}"],${INLINE_WEIGHT}){${declarations}}`);
      },
    })
    .on("style", {
      element(element) {
        element.setAttribute("nonce", nonce);
      },
    })
    .onDocument({
      end(end) {
        if (rules.length > 0) end.append(`<style nonce="${nonce}">${rules.join("\n")}</style>`, { html: true });
      },
    });
  return rewriter.transform(new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } })).text();
}

/**
 * The preview frame of an email's HTML part.
 *
 * @example
 * ```tsx
 * <EmailPreviewFrame html={rendered.html} title="HTML email preview of Welcome" nonce={c.get("cspNonce")} />
 * ```
 */
export async function EmailPreviewFrame(props: { html: string; title: string; nonce: string }) {
  const doc = await previewDocument(props.html, props.nonce);
  return <iframe class="preview-frame" title={props.title} sandbox="" srcdoc={doc} referrerpolicy="no-referrer"></iframe>;
}
