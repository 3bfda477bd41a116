import type { Context, Hono } from "hono";
import { ApiError } from "../../../lib/errors/api-error";
import type { Params } from "../../../services/content/render-channel";
import { renderTemplateVersion, type TemplatePreview } from "../../../services/templates/preview";
import { getTemplate, type LoadedTemplate, toTemplateView } from "../../../services/templates/templates";
import { EmailPreviewFrame } from "../../email-preview";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { AdminPageError } from "../../errors";
import { ErrorSummary, errorFor, type FormError, page, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { CHANNEL_LABELS, formString, TEMPLATE_ID } from "./shared";

/** A parameter value is bounded like any form field; the render's own output limits apply after. */
const MAX_PARAM = 10_000;

/** `a.b` → `{a: {b: value}}`, the shape the renderers read dotted placeholders from. */
function setParam(params: Params, name: string, value: string): void {
  const parts = name.split(".");
  let node: Record<string, unknown> = params;
  parts.forEach((part, i) => {
    if (i === parts.length - 1) node[part] = value;
    else {
      const next = node[part];
      node = (node[part] = next !== null && typeof next === "object" ? next : {}) as Record<string, unknown>;
    }
  });
}

interface PreviewState {
  values: Record<string, string>;
  errors: FormError[];
  result?: TemplatePreview;
}

/**
 * Renders with the send path's own renderer (`renderTemplateVersion`); an empty field counts as
 * not given, so the summary names every parameter still missing, as a send's 422 would.
 */
function render(loaded: LoadedTemplate, names: string[], values: Record<string, string>): PreviewState {
  const params: Params = {};
  for (const name of names) if (values[name]) setParam(params, name, values[name]!);
  try {
    return { values, errors: [], result: renderTemplateVersion(loaded.template.channel, loaded.version, params) };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    const errors = (err.errors ?? []).map((e) => {
      const name = e.path?.startsWith("params.") ? e.path.slice("params.".length) : undefined;
      const at = name !== undefined ? names.indexOf(name) : -1;
      return at >= 0 ? { field: `param-${at}`, message: `Enter a value for ${name}` } : { field: names.length > 0 ? "param-0" : "preview", message: e.message };
    });
    return { values, errors: errors.length > 0 ? errors : [{ field: names.length > 0 ? "param-0" : "preview", message: err.detail ?? "The template cannot be previewed" }] };
  }
}

async function show(c: Context<AdminEnv>, form: Record<string, unknown> | null) {
  const id = c.req.param("id") ?? "";
  if (!TEMPLATE_ID.test(id)) throw new AdminPageError(404);
  const loaded = await getTemplate(await tenantContextOf(c), id);
  const view = toTemplateView(loaded);
  const values: Record<string, string> = {};
  view.params.forEach((name, i) => {
    if (form) values[name] = formString(form, `param-${i}`).slice(0, MAX_PARAM);
  });
  // Before any parameters are given there is nothing to name as missing: only a template without parameters renders at once.
  const state = form || view.params.length === 0 ? render(loaded, view.params, values) : { values, errors: [] };
  return page(
    c,
    `${state.errors.length > 0 ? "Error: " : ""}Preview ${view.name}`,
    <>
      <a href={`/admin/templates/${view.id}`} class="back-link">
        Back to {view.name}
      </a>
      <ErrorSummary errors={state.errors} />
      <span class="caption">
        {CHANNEL_LABELS[view.channel]} template, version {view.version}
      </span>
      <h1 class="heading-l">Preview {view.name}</h1>
      {view.params.length > 0 && (
        // With script, htmx posts the same form while typing and swaps in only the preview section; the button still does a full post.
        <form method="post" action={`/admin/templates/${view.id}/preview`} novalidate hx-post={`/admin/templates/${view.id}/preview`} hx-trigger="input changed delay:400ms" hx-target="#preview" hx-select="#preview" hx-swap="outerHTML">
          <h2 class="heading-m">Parameters</h2>
          {view.params.map((name, i) => (
            <TextField id={`param-${i}`} name={`param-${i}`} label={name} value={state.values[name]} error={errorFor(state.errors, `param-${i}`)} autocomplete="off" />
          ))}
          <button type="submit" class="button">
            Preview
          </button>
        </form>
      )}
      <section id="preview" aria-labelledby="preview-heading" tabindex={-1}>
        <h2 class="heading-m" id="preview-heading">
          Preview
        </h2>
        {state.result ? (
          <Result result={state.result} name={view.name} styleNonce={c.get("styleNonce")} />
        ) : state.errors.length > 0 ? (
          <>
            <p class="body">The preview needs these fixed first:</p>
            <ul class="param-list">
              {state.errors.map((e) => (
                <li>{e.message}</li>
              ))}
            </ul>
          </>
        ) : (
          <p class="body">Enter the parameters, then press Preview.</p>
        )}
      </section>
    </>,
    // While typing (htmx), a parameter not yet filled in is the normal state, not a failed request: 200, so the browser logs no error.
    state.errors.length > 0 && c.req.header("hx-request") !== "true" ? 422 : 200,
  );
}

/**
 * The rendered content. Email HTML is tenant HTML: it is shown only in an iframe with
 * `sandbox=""` (no scripts, no forms, no top navigation, a unique opaque origin, so it cannot
 * reach this page) and `srcdoc` (no request; the attribute is escaped by JSX). The srcdoc
 * document inherits this page's CSP: its styles come through only as the page's style nonce
 * allows them (admin/email-preview.tsx), and images from elsewhere stay off.
 */
function Result({ result, name, styleNonce }: { result: TemplatePreview; name: string; styleNonce: string }) {
  if (result.channel === "email") {
    return (
      <dl class="summary-list">
        <div class="summary-list__row">
          <dt class="summary-list__key">Subject</dt>
          <dd class="summary-list__value">{result.subject}</dd>
        </div>
        {result.html !== undefined && (
          <div class="summary-list__row">
            <dt class="summary-list__key">HTML part</dt>
            <dd class="summary-list__value">
              <EmailPreviewFrame html={result.html} title={`HTML email preview of ${name}`} nonce={styleNonce} />
            </dd>
          </div>
        )}
        <div class="summary-list__row">
          <dt class="summary-list__key">Text part</dt>
          <dd class="summary-list__value">
            <pre class="pre">{result.text ?? result.body}</pre>
          </dd>
        </div>
      </dl>
    );
  }
  if (result.channel === "sms") {
    return (
      <dl class="summary-list">
        <div class="summary-list__row">
          <dt class="summary-list__key">Message</dt>
          <dd class="summary-list__value">
            <pre class="pre">{result.body}</pre>
          </dd>
        </div>
        <div class="summary-list__row">
          <dt class="summary-list__key">Length</dt>
          <dd class="summary-list__value">
            {result.length} characters, {result.fragments} {result.fragments === 1 ? "fragment" : "fragments"} ({result.encoding})
          </dd>
        </div>
      </dl>
    );
  }
  return (
    <dl class="summary-list">
      <div class="summary-list__row">
        <dt class="summary-list__key">Text</dt>
        <dd class="summary-list__value">
          <pre class="pre">{result.text}</pre>
        </dd>
      </div>
      {result.card !== undefined && (
        <div class="summary-list__row">
          <dt class="summary-list__key">Card</dt>
          <dd class="summary-list__value">
            <pre class="pre">{JSON.stringify(result.card, null, 2)}</pre>
          </dd>
        </div>
      )}
    </dl>
  );
}

/** GET/POST /admin/templates/{id}/preview: parameters → the rendered message (read is enough: nothing is saved or sent). */
export function registerTemplatePreview(admin: Hono<AdminEnv>): void {
  admin.get("/templates/:id/preview", requireAdmin("read"), (c) => show(c, null));
  admin.post("/templates/:id/preview", requireAdmin("read"), async (c) => show(c, await c.req.parseBody()));
}
