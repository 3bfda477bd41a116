import type { Context, Hono } from "hono";
import { ApiError } from "../../../lib/errors/api-error";
import { zodIssuesToFieldErrors } from "../../../lib/errors/zod-issues";
import { audit } from "../../../services/admin-identity";
import type { ServiceContext } from "../../../services/context";
import type { EmailPayload, SmsPayload } from "../../../services/send/payloads";
import { fromEmailChannel, fromSmsChannel, type SendRequest } from "../../../services/send/plan";
import { EmailChannelSchema, SmsChannelSchema } from "../../../services/send/request-schema";
import { previewSend, sendNotification } from "../../../services/send/send";
import { getTemplate, type TemplateView, toTemplateView } from "../../../services/templates/templates";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { EmailPreviewFrame } from "../../email-preview";
import { AdminPageError } from "../../errors";
import { ErrorSummary, errorFor, type FormError, page, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { CHANNEL_LABELS, formString, TEMPLATE_ID } from "../templates/shared";

/** Form values are bounded like every input; the send path's own limits apply after. */
const MAX_RECIPIENT = 320;
const MAX_PARAM = 10_000;

type SendChannel = "email" | "sms";
const RECIPIENT_LABEL: Record<SendChannel, string> = { email: "Email address", sms: "Phone number" };

interface Values {
  recipient: string;
  /** Placeholder name → value, in the template's order. */
  params: Record<string, string>;
}

/** The template of the URL, if it is this tenant's email or SMS template; anything else is the 404 page. */
async function loadSendable(c: Context<AdminEnv>): Promise<{ ctx: ServiceContext; view: TemplateView & { channel: SendChannel } }> {
  const id = c.req.param("id") ?? "";
  if (!TEMPLATE_ID.test(id)) throw new AdminPageError(404);
  const ctx = await tenantContextOf(c);
  const view = toTemplateView(await getTemplate(ctx, id));
  if (view.channel !== "email" && view.channel !== "sms") throw new AdminPageError(404, "Only email and SMS templates can be sent from here.");
  return { ctx, view: view as TemplateView & { channel: SendChannel } };
}

function readValues(form: Record<string, unknown>, names: string[]): Values {
  const params: Record<string, string> = {};
  names.forEach((name, i) => (params[name] = formString(form, `param-${i}`).slice(0, MAX_PARAM)));
  return { recipient: formString(form, "recipient").trim().slice(0, MAX_RECIPIENT), params };
}

/** `a.b` → `{a: {b: value}}`, the shape dotted placeholders are read from. */
function nest(params: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    // An empty field is not given, so the send path names it as missing.
    if (value === "") continue;
    const parts = name.split(".");
    let node = out;
    parts.slice(0, -1).forEach((part) => {
      const next = node[part];
      node = (node[part] = next !== null && typeof next === "object" ? next : {}) as Record<string, unknown>;
    });
    node[parts.at(-1)!] = value;
  }
  return out;
}

/**
 * A field error's path (`recipients.to[0]`, `params.name`, `content.templateId`) → the form field
 * it is about and its label. The rendered message (`content.…`: a subject or SMS too long once the
 * values are in) is the placeholders' doing, so it is named as the message, at the first placeholder.
 */
function fieldOf(path: string | undefined, view: TemplateView & { channel: SendChannel }): { field: string; label: string } {
  const names = view.params;
  if (path?.startsWith("params.")) {
    const rest = path.slice("params.".length);
    const at = names.findIndex((n) => rest === n || rest.startsWith(`${n}.`) || rest.startsWith(`${n}[`));
    if (at >= 0) return { field: `param-${at}`, label: `Placeholder ${names[at]}` };
  }
  if (/(^|\.)content(\.|$)/.test(path ?? "") && names.length > 0) return { field: "param-0", label: "The message" };
  return { field: "recipient", label: RECIPIENT_LABEL[view.channel] };
}

function formErrors(errors: { path?: string; message: string }[], view: TemplateView & { channel: SendChannel }, fallback: string): FormError[] {
  const out = errors.map((e) => {
    const { field, label } = fieldOf(e.path, view);
    return { field, message: `${label}: ${e.message}` };
  });
  return out.length > 0 ? out : [{ field: "recipient", message: fallback }];
}

/**
 * Whether a recipient field names one person: no list separators, no `group:` name and no
 * placeholder, each of which the send path would expand.
 *
 * @example
 * ```ts
 * isOneRecipient("ann@example.gov") // true
 * isOneRecipient("ann@example.gov, bo@example.gov") // false
 * isOneRecipient("group:everyone") // false
 * ```
 */
export function isOneRecipient(value: string): boolean {
  return !/[,;]|\{\{|\(\(/.test(value) && !/^\s*group:/i.test(value);
}

/**
 * The API's own request for this template and values, checked by the channel endpoint's schema
 * (as `POST /api/v1/notifysimple/{channel}` would), or the errors at their fields.
 */
function requestOf(view: TemplateView & { channel: SendChannel }, values: Values): { request: SendRequest } | { errors: FormError[] } {
  if (values.recipient === "") return { errors: [{ field: "recipient", message: `Enter ${view.channel === "email" ? "an email address" : "a phone number"}` }] };
  // The API's recipient lists take comma lists, `group:` names and placeholders; this form sends to one person.
  if (!isOneRecipient(values.recipient)) return { errors: [{ field: "recipient", message: `${RECIPIENT_LABEL[view.channel]}: enter one ${view.channel === "email" ? "email address" : "phone number"}, not a list, a group or a placeholder (send to many with a mail merge or an event type)` }] };
  const params = nest(values.params);
  const body = { recipients: { to: [values.recipient] }, content: { templateId: view.id }, ...(Object.keys(params).length > 0 ? { params } : {}) };
  if (view.channel === "email") {
    const parsed = EmailChannelSchema.safeParse(body);
    if (!parsed.success) return { errors: formErrors(zodIssuesToFieldErrors(parsed.error), view, "Check the values") };
    return { request: fromEmailChannel(parsed.data) };
  }
  const parsed = SmsChannelSchema.safeParse(body);
  if (!parsed.success) return { errors: formErrors(zodIssuesToFieldErrors(parsed.error), view, "Check the values") };
  return { request: fromSmsChannel(parsed.data) };
}

/** A refusal of the send path (4xx) as form errors; anything else is the error page's. */
function sendPathErrors(err: unknown, view: TemplateView & { channel: SendChannel }): FormError[] {
  // 429 (limits) and 404 keep their own pages: the values are not what is wrong.
  if (!(err instanceof ApiError) || (err.status !== 400 && err.status !== 422)) throw err;
  return formErrors(err.errors ?? [], view, err.detail ?? "The message cannot be sent");
}

type Shown = { kind: "form"; errors: FormError[] } | { kind: "preview"; message: EmailPayload | SmsPayload };

function render(c: Context<AdminEnv>, view: TemplateView & { channel: SendChannel }, values: Values, shown: Shown) {
  const errors = shown.kind === "form" ? shown.errors : [];
  const title = shown.kind === "preview" ? `Check ${view.name}` : `Send ${view.name}`;
  return page(
    c,
    `${errors.length > 0 ? "Error: " : ""}${title}`,
    <>
      <a href="/admin/send" class="back-link">
        Back to templates
      </a>
      <ErrorSummary errors={errors} />
      <span class="caption">
        {CHANNEL_LABELS[view.channel]} template, version {view.version}
      </span>
      <h1 class="heading-l">{title}</h1>
      {shown.kind === "preview" ? (
        <>
          <MessagePreview message={shown.message} name={view.name} styleNonce={c.get("styleNonce")} />
          <form method="post" action={`/admin/send/${view.id}`}>
            <HiddenValues view={view} values={values} />
            <button type="submit" class="button">
              Send
            </button>
          </form>
          {/* Back to the filled-in form, to change a value. */}
          <form method="post" action={`/admin/send/${view.id}/edit`}>
            <HiddenValues view={view} values={values} />
            <button type="submit" class="button button--secondary">
              Change the values
            </button>
          </form>
        </>
      ) : (
        <form method="post" action={`/admin/send/${view.id}/preview`} novalidate>
          <TextField
            id="recipient"
            name="recipient"
            label={RECIPIENT_LABEL[view.channel]}
            type={view.channel === "email" ? "email" : "tel"}
            value={values.recipient}
            error={errorFor(errors, "recipient")}
            autocomplete="off"
          />
          {view.params.length > 0 && <h2 class="heading-m">Placeholders</h2>}
          {view.params.map((name, i) => (
            <TextField id={`param-${i}`} name={`param-${i}`} label={name} value={values.params[name]} error={errorFor(errors, `param-${i}`)} autocomplete="off" />
          ))}
          <button type="submit" class="button">
            Preview
          </button>
        </form>
      )}
    </>,
    errors.length > 0 ? 422 : 200,
  );
}

function HiddenValues({ view, values }: { view: TemplateView; values: Values }) {
  return (
    <>
      <input type="hidden" name="recipient" value={values.recipient} />
      {view.params.map((name, i) => (
        <input type="hidden" name={`param-${i}`} value={values.params[name] ?? ""} />
      ))}
    </>
  );
}

/**
 * The message exactly as the send path would send it. Email HTML is tenant HTML: only inside an
 * iframe with `sandbox=""` (no scripts, forms or navigation, an opaque origin) and `srcdoc` (no
 * request; escaped by JSX), which inherits this page's CSP: its styles pass by the page's style
 * nonce (admin/email-preview.tsx).
 */
export function MessagePreview({ message, name, styleNonce }: { message: EmailPayload | SmsPayload; name: string; styleNonce: string }) {
  const row = (key: string, value: unknown) => (
    <div class="summary-list__row">
      <dt class="summary-list__key">{key}</dt>
      <dd class="summary-list__value">{value}</dd>
    </div>
  );
  if ("subject" in message.content) {
    const email = message as EmailPayload;
    return (
      <dl class="summary-list">
        {row("To", email.recipients.to.join(", "))}
        {row("From", email.from)}
        {row("Subject", email.content.subject)}
        {email.content.html !== undefined &&
          row("HTML part", <EmailPreviewFrame html={email.content.html} title={`HTML email preview of ${name}`} nonce={styleNonce} />)}
        {row("Text part", <pre class="pre">{email.content.text ?? email.content.body}</pre>)}
      </dl>
    );
  }
  const sms = message as SmsPayload;
  return (
    <dl class="summary-list">
      {row("To", sms.recipients.to.join(", "))}
      {row("From", sms.from)}
      {row("Message", <pre class="pre">{sms.content.body}</pre>)}
      {row("Length", `${sms.content.length} characters, ${sms.content.fragments} ${sms.content.fragments === 1 ? "fragment" : "fragments"} (${sms.content.encoding})`)}
    </dl>
  );
}

/**
 * /admin/send/{templateId}: the form (GET, or POST …/edit with the values back), Preview (POST
 * …/preview: `previewSend`, nothing stored) and Send (POST: `sendNotification`, audited, 303 to
 * the notification's Activity page). All with the send role, as the API's send routes.
 */
export function registerSendCompose(admin: Hono<AdminEnv>): void {
  admin.get("/send/:id", requireAdmin("send"), async (c) => {
    const { view } = await loadSendable(c);
    return render(c, view, readValues({}, view.params), { kind: "form", errors: [] });
  });

  admin.post("/send/:id/edit", requireAdmin("send"), async (c) => {
    const { view } = await loadSendable(c);
    return render(c, view, readValues(await c.req.parseBody(), view.params), { kind: "form", errors: [] });
  });

  admin.post("/send/:id/preview", requireAdmin("send"), async (c) => {
    const { ctx, view } = await loadSendable(c);
    const values = readValues(await c.req.parseBody(), view.params);
    const built = requestOf(view, values);
    if ("errors" in built) return render(c, view, values, { kind: "form", errors: built.errors });
    try {
      const preview = await previewSend(ctx, built.request);
      const message = (view.channel === "email" ? preview.email : preview.sms)?.[0];
      // Nothing left to send (every recipient suppressed answers a 422 before this): said at the recipient.
      if (!message) return render(c, view, values, { kind: "form", errors: [{ field: "recipient", message: `${RECIPIENT_LABEL[view.channel]}: nothing would be sent to it` }] });
      return render(c, view, values, { kind: "preview", message });
    } catch (err) {
      return render(c, view, values, { kind: "form", errors: sendPathErrors(err, view) });
    }
  });

  admin.post("/send/:id", requireAdmin("send"), async (c) => {
    const { ctx, view } = await loadSendable(c);
    const values = readValues(await c.req.parseBody(), view.params);
    const built = requestOf(view, values);
    if ("errors" in built) return render(c, view, values, { kind: "form", errors: built.errors });
    let receipt;
    try {
      receipt = await sendNotification(ctx, built.request, "admin");
    } catch (err) {
      return render(c, view, values, { kind: "form", errors: sendPathErrors(err, view) });
    }
    // A duplicate within the window sent nothing: it names the first notification, which is where to look.
    if (!receipt.duplicate) await audit(ctx, "notification.sent", `notification:${receipt.notifyId}`, { channel: view.channel, template: view.id });
    return c.redirect(`/admin/activity/${receipt.notifyId}`, 303);
  });
}
