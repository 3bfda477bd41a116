import type { Context, Hono } from "hono";
import type { Channel } from "../../../db/schema";
import { ApiError } from "../../../lib/errors/api-error";
import { zodIssuesToFieldErrors } from "../../../lib/errors/zod-issues";
import { audit } from "../../../services/admin-identity";
import { signInAddressOf } from "../../../services/admin-identity/users";
import type { ServiceContext } from "../../../services/context";
import { toEventTypeView, type EventTypeView } from "../../../services/event-types/event-types";
import { getNotification } from "../../../services/notifications/notifications";
import { eventSendRequest } from "../../../services/notify-event/notify-event";
import { NotifyEventSchema } from "../../../services/notify-event/request-schema";
import { documentLayer } from "../../../services/resolve/layers";
import type { SendRequest } from "../../../services/send/plan";
import { sendNotification } from "../../../services/send/send";
import { getTemplate, toTemplateView } from "../../../services/templates/templates";
import type { TenantSettings } from "../../../services/tenants/settings";
import type { AdminEnv } from "../../env";
import { isOneRecipient } from "../send/compose";
import { AdminPageError } from "../../errors";
import { errorFor, ErrorSummary, type FormError, page, TextArea, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { formString, TEMPLATE_ID } from "../templates/shared";
import { MAX_PARAMS, paramsOf } from "./preview";
import { EVENT_TYPES_PATH, loadEventType, resolvedRows } from "./shared";

/** The tag every test send carries, so Activity can find and show it (`?tag=test`). */
export const TEST_TAG = "test";
/** The notification's source: a test from the admin UI, not an application's send. */
const SOURCE = "admin-test";
const MAX_ADDRESS = 320;
const MAX_PHONE = 40;

interface Values {
  /** Typed only when the person has no sign-in address of their own. */
  email: string;
  phone: string;
  params: string;
}

/**
 * The send of `request` rewritten to reach only the person testing: every layer's recipients
 * (to, cc, bcc, groups, a subscription service) are dropped and one last layer sends to `me`,
 * with cc and bcc empty so the tenant's default cc/bcc are replaced too. Chat posts to a team's
 * channel, not to a person, so it is not sent; nor is a channel `me` has nothing for.
 */
export function onlyToMe(request: SendRequest, me: { email?: string; phone?: string }): SendRequest {
  const channels: SendRequest["channels"] = {};
  const notSent = { ...(request.notSent ?? {}) };
  for (const [name, channel] of Object.entries(request.channels) as [Channel, NonNullable<SendRequest["channels"][Channel]>][]) {
    const to = name === "email" ? me.email : name === "sms" ? me.phone : undefined;
    if (!to) {
      notSent[name] = "send me a test";
      continue;
    }
    const layers = channel.layers.map((layer) => {
      if (!("recipients" in layer.value)) return layer;
      const { recipients: _recipients, ...rest } = layer.value;
      return { ...layer, value: rest };
    });
    layers.push({ ...documentLayer("request", { recipients: name === "email" ? { to: [to], cc: [], bcc: [] } : { to: [to] } }, `me.${name}`), label: "send me a test" });
    channels[name] = { ...channel, layers };
  }
  return { ...request, channels, notSent, tags: [...new Set([...(request.tags ?? []), TEST_TAG])], allowDuplicate: true };
}

/** The tenant's settings without its default recipients (cc, bcc, subscription services), for a test send. */
function withoutDefaultRecipients(settings: TenantSettings): TenantSettings {
  const out = { ...settings };
  if (settings.email) {
    const { cc: _cc, bcc: _bcc, subscription: _s, ...email } = settings.email as Record<string, unknown>;
    out.email = email as TenantSettings["email"];
  }
  if (settings.sms) {
    const { subscription: _s, ...sms } = settings.sms as Record<string, unknown>;
    out.sms = sms as TenantSettings["sms"];
  }
  return out;
}

/** Channels a send of this event type would use: its own (msgApp never reaches a person). */
function personChannels(view: EventTypeView): ("email" | "sms")[] {
  return (["email", "sms"] as const).filter((ch) => view[ch] !== undefined && view[ch]!.enabled !== false);
}

/** The placeholders of the templates the event type's channels use, as a params object to fill in. */
async function paramsTemplate(ctx: ServiceContext, view: EventTypeView): Promise<string> {
  const names = new Set<string>();
  for (const channel of personChannels(view)) {
    const id = resolvedRows(ctx, view.code, view, channel).find((r) => r.field === "content.templateId")?.value;
    if (typeof id !== "string") continue;
    try {
      toTemplateView(await getTemplate(ctx, id)).params.forEach((p) => names.add(p));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }
  return JSON.stringify(Object.fromEntries([...names].map((n) => [n, ""])), null, 2);
}

/** A refusal's field path (`me.email.recipients.to[0]`, `params.amount`) as the form field it is about. */
function fieldOf(path: string | undefined, ownAddress: boolean): string {
  if (path?.startsWith("me.email") && !ownAddress) return "email";
  if (path?.startsWith("me.sms")) return "phone";
  return "params";
}

function sendErrors(err: unknown, ownAddress: boolean): FormError[] {
  // Limits (429) and anything not about the values keep their own pages.
  if (!(err instanceof ApiError) || (err.status !== 400 && err.status !== 422)) throw err;
  const out = (err.errors ?? []).map((e) => {
    const field = fieldOf(e.path, ownAddress);
    const about = e.path?.startsWith("me.email") ? "Your email address" : e.path?.startsWith("me.sms") ? "Your mobile number" : e.path;
    return { field, message: about ? `${about}: ${e.message}` : e.message };
  });
  return out.length > 0 ? out : [{ field: "params", message: err.detail ?? "The test cannot be sent" }];
}

/**
 * "Send me a test" (send role, as the API's send routes): the event type sent through the same
 * path as `POST /api/v1/notifyevent` with the params typed here, its template and content as
 * configured, but its recipients replaced by the person testing: their sign-in address (or one
 * they type when they have none) and a mobile number they type. Tagged `test`, source
 * `admin-test`, never held back as a duplicate, audited `event_type.test_sent`; the guest list
 * and trial rules apply as to any send. The result page links to the notification in Activity.
 */
export function registerEventTypeTestSend(admin: Hono<AdminEnv>): void {
  admin.get("/event-types/:id/test", requireAdmin("send"), async (c) => {
    const { ctx, loaded } = await loadEventType(c);
    const view = toEventTypeView(loaded);
    const own = await signInAddressOf(ctx, c.get("admin")?.userId ?? null);
    return render(c, view, own, { email: "", phone: "", params: await paramsTemplate(ctx, view) }, []);
  });

  admin.post("/event-types/:id/test", requireAdmin("send"), async (c) => {
    const { ctx, loaded } = await loadEventType(c);
    const view = toEventTypeView(loaded);
    const own = await signInAddressOf(ctx, c.get("admin")?.userId ?? null);
    const form = await c.req.parseBody();
    const values: Values = {
      email: formString(form, "email").trim().slice(0, MAX_ADDRESS + 1),
      phone: formString(form, "phone").trim().slice(0, MAX_PHONE + 1),
      params: formString(form, "params").slice(0, MAX_PARAMS + 1),
    };
    const channels = personChannels(view);
    const errors: FormError[] = [];
    const email = channels.includes("email") ? (own ?? values.email) : undefined;
    const phone = channels.includes("sms") ? values.phone : undefined;
    if (channels.length === 0) errors.push({ field: "params", message: "This event type has no email or SMS channel to test" });
    if (channels.includes("email") && !own && values.email === "") errors.push({ field: "email", message: "Enter your email address" });
    if (!own && values.email.length > MAX_ADDRESS) errors.push({ field: "email", message: `Your email address must be ${MAX_ADDRESS} characters or fewer` });
    if (values.phone.length > MAX_PHONE) errors.push({ field: "phone", message: `Your mobile number must be ${MAX_PHONE} characters or fewer` });
    if (channels.length === 1 && channels[0] === "sms" && !phone) errors.push({ field: "phone", message: "Enter your mobile number" });
    // The send path reads a recipient as a list (commas, group: names, placeholders): a test goes to one person.
    if (!own && values.email !== "" && !isOneRecipient(values.email)) errors.push({ field: "email", message: "Your email address: enter one address, not a list, a group or a placeholder" });
    if (values.phone !== "" && !isOneRecipient(values.phone)) errors.push({ field: "phone", message: "Your mobile number: enter one number, not a list, a group or a placeholder" });
    const given = paramsOf(values.params);
    if ("error" in given) errors.push({ field: "params", message: given.error });
    if (errors.length > 0 || "error" in given) return render(c, view, own, values, errors);

    const parsed = NotifyEventSchema.safeParse({ notificationEventType: view.id, params: given.params });
    if (!parsed.success) return render(c, view, own, values, zodIssuesToFieldErrors(parsed.error).map((e) => ({ field: "params", message: e.path ? `${e.path}: ${e.message}` : e.message })));
    let receipt;
    try {
      const request = onlyToMe(await eventSendRequest(ctx, parsed.data), { email: email || undefined, phone: phone || undefined });
      receipt = await sendNotification({ ...ctx, settings: withoutDefaultRecipients(ctx.settings) }, request, SOURCE);
    } catch (err) {
      return render(c, view, own, values, sendErrors(err, !!own));
    }
    await audit(ctx, "event_type.test_sent", `event_type:${view.id}`, { notification: receipt.notifyId, version: view.version });
    return c.redirect(`${EVENT_TYPES_PATH}/${view.id}/test/${receipt.notifyId}`, 303);
  });

  admin.get("/event-types/:id/test/:notifyId", requireAdmin("send"), async (c) => {
    const { ctx, loaded } = await loadEventType(c);
    const view = toEventTypeView(loaded);
    const notifyId = c.req.param("notifyId");
    if (!TEMPLATE_ID.test(notifyId)) throw new AdminPageError(404);
    // The tenant's own test of this event type, or the 404 page.
    const sent = await getNotification(ctx, notifyId);
    if (sent.source !== SOURCE || sent.eventType?.code !== view.code) throw new AdminPageError(404);
    return page(
      c,
      `Test sent: ${view.name}`,
      <>
        <a href={`${EVENT_TYPES_PATH}/${view.id}`} class="back-link">
          Back to {view.name}
        </a>
        <div class="panel--confirmation" role="status">
          <h1 class="heading-l">Test sent</h1>
          <p class="body">
            {view.name}, version {view.version}, tagged <strong>{TEST_TAG}</strong>
          </p>
        </div>
        <dl class="summary-list">
          {sent.messages.map((m) => (
            <div class="summary-list__row">
              <dt class="summary-list__key">{m.channel === "email" ? "Email" : m.channel === "sms" ? "SMS" : "Chat"}</dt>
              <dd class="summary-list__value">
                {m.recipient} ({m.status})
              </dd>
            </div>
          ))}
        </dl>
        <p class="body">
          <a href={`/admin/activity/${sent.notifyId}`}>See the notification in Activity</a>
        </p>
        <p class="body">
          <a href={`${EVENT_TYPES_PATH}/${view.id}/test`}>Send another test</a>
        </p>
      </>,
    );
  });
}

function render(c: Context<AdminEnv>, view: EventTypeView, own: string | null, values: Values, errors: FormError[]) {
  const channels = personChannels(view);
  return page(
    c,
    `${errors.length > 0 ? "Error: " : ""}Send me a test of ${view.name}`,
    <>
      <a href={`${EVENT_TYPES_PATH}/${view.id}`} class="back-link">
        Back to {view.name}
      </a>
      <ErrorSummary errors={errors} />
      <span class="caption">
        Event type <span class="code">{view.code}</span>, version {view.version}
      </span>
      <h1 class="heading-l">Send me a test</h1>
      <p class="body">
        The event type's templates and content with the parameters you give, sent only to you: its recipients, cc, bcc, groups and subscription services (and the tenant's default cc and bcc) are left out.
        {view.msgApp ? " Chat is not posted." : ""} The notification is tagged {TEST_TAG} in Activity. Trial mode and the guest list apply as to any send.
      </p>
      <form method="post" action={`${EVENT_TYPES_PATH}/${view.id}/test`} novalidate>
        {channels.includes("email") &&
          (own ? (
            <p class="body">
              Email to your sign-in address: <strong>{own}</strong>
            </p>
          ) : (
            <TextField id="email" name="email" type="email" label="Your email address" hint="You have no sign-in address of your own here: the email goes to this one" value={values.email} error={errorFor(errors, "email")} autocomplete="email" />
          ))}
        {channels.includes("sms") && (
          <TextField
            id="phone"
            name="phone"
            type="tel"
            label="Your mobile number"
            hint={channels.includes("email") ? "Leave it empty to send no text message" : undefined}
            value={values.phone}
            error={errorFor(errors, "phone")}
            autocomplete="tel"
          />
        )}
        <TextArea id="params" name="params" label="Parameters (JSON)" hint='The request&apos;s params, for example {"firstname": "Lucky"}' value={values.params} error={errorFor(errors, "params")} rows={8} />
        <button type="submit" class="button">
          Send me a test
        </button>
      </form>
    </>,
    errors.length > 0 ? 422 : 200,
  );
}
