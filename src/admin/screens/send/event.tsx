import type { Context, Hono } from "hono";
import { sha256Hex } from "../../../lib/crypto/hash";
import { ApiError } from "../../../lib/errors/api-error";
import { zodIssuesToFieldErrors } from "../../../lib/errors/zod-issues";
import { audit } from "../../../services/admin-identity";
import type { ServiceContext } from "../../../services/context";
import type { LoadedEventType } from "../../../services/event-types/event-types";
import { toEventTypeView, type EventTypeView } from "../../../services/event-types/event-types";
import { compileEventSend } from "../../../services/notify-event/compile";
import { NotifyEventSchema } from "../../../services/notify-event/request-schema";
import type { SendRequest } from "../../../services/send/plan";
import { adminSendKey, type KeyedSendResult, sendUnderKey } from "../../../services/send/keyed-send";
import { previewSend, type Preview } from "../../../services/send/send";
import type { AdminEnv } from "../../env";
import { errorFor, ErrorSummary, type FormError, page, TextArea } from "../../layout";
import { requireAdmin } from "../../middleware";
import { MAX_PARAMS, paramsOf, PreviewResult } from "../event-types/preview";
import { apiFormErrors, CHANNEL_NAMES, EVENT_TYPES_PATH, loadEventType } from "../event-types/shared";
import { formString, TEMPLATE_ID } from "../templates/shared";

/** The notification's source, as the Send screen's other sends. */
const SOURCE = "admin";
const numbers = new Intl.NumberFormat("en");
const plural = (n: number, one: string, many = `${one}s`) => `${numbers.format(n)} ${n === 1 ? one : many}`;

/** The path of an event type's one-off send. */
export const sendEventPath = (id: string) => `/admin/send/event/${id}`;

/**
 * What a confirmation stands for: the event type, the version previewed and the params, so a
 * confirmation of anything else (the event type changed since, the params edited in the page) is
 * refused rather than sent.
 */
async function previewHash(view: EventTypeView, paramsText: string): Promise<string> {
  return sha256Hex(`${view.id}\n${view.version}\n${paramsText}`);
}

/** The params field as the API's request, or the errors at the field (odd JSON is a 422 there, never a 500). */
function requestBody(view: EventTypeView, text: string): { params: Record<string, unknown>; body: ReturnType<typeof NotifyEventSchema.parse> } | { errors: FormError[] } {
  const given = paramsOf(text);
  if ("error" in given) return { errors: [{ field: "params", message: given.error }] };
  const parsed = NotifyEventSchema.safeParse({ notificationEventType: view.id, params: given.params });
  if (!parsed.success) return { errors: zodIssuesToFieldErrors(parsed.error).map((e) => ({ field: "params", message: e.path ? `${e.path}: ${e.message}` : e.message })) };
  return { params: given.params, body: parsed.data };
}

/** The send path's refusal (4xx about the values) at the params field; limits and the rest keep their pages. */
function sendErrors(err: unknown): FormError[] {
  if (err instanceof ApiError && err.status === 429) throw err;
  return apiFormErrors(err, "params").map((e) => ({ field: "params", message: e.message }));
}

/** Recipients per channel of a preview: every address an email goes to (to, cc, bcc), each SMS number, each chat post. */
export function recipientCounts(preview: Preview): { channel: keyof typeof CHANNEL_NAMES; count: number }[] {
  const counts = [
    { channel: "email" as const, count: (preview.email ?? []).reduce((n, m) => n + m.recipients.to.length + (m.recipients.cc?.length ?? 0) + (m.recipients.bcc?.length ?? 0), 0) },
    { channel: "sms" as const, count: (preview.sms ?? []).reduce((n, m) => n + m.recipients.to.length, 0) },
    { channel: "msgApp" as const, count: preview.msgApp?.length ?? 0 },
  ];
  return counts.filter((c) => c.count > 0);
}

type SendResult = Exclude<KeyedSendResult, { kind: "refused" }>;

/**
 * `sendNotification` under the confirmation's own Idempotency-Key (`sendUnderKey`): the same
 * confirmation posted again (a double click, a retry, twenty tabs) answers the first notification
 * and sends nothing. A refusal of the send path is thrown.
 */
async function sendOnce(ctx: ServiceContext, request: SendRequest, token: string, hash: string): Promise<SendResult> {
  const result = await sendUnderKey(ctx, await adminSendKey(ctx, `admin-event:${token}`, hash), request, SOURCE);
  if (result.kind === "refused") throw result.error;
  return result;
}

/** A confirmation's hidden fields: the params previewed, the version, what they hash to and the confirmation's own id. */
interface Confirmation {
  params: string;
  version: number;
  hash: string;
  token: string;
}

type Shown = { kind: "form"; errors: FormError[] } | { kind: "preview"; preview: Preview; confirmation: Confirmation };

function render(c: Context<AdminEnv>, view: EventTypeView, text: string, shown: Shown) {
  const errors = shown.kind === "form" ? shown.errors : [];
  const base = sendEventPath(view.id);
  const title = shown.kind === "preview" ? `Check ${view.name}` : `Send ${view.name}`;
  const counts = shown.kind === "preview" ? recipientCounts(shown.preview) : [];
  const total = counts.reduce((n, x) => n + x.count, 0);
  return page(
    c,
    `${errors.length > 0 ? "Error: " : ""}${title}`,
    <>
      <a href="/admin/send" class="back-link">
        Back to Send
      </a>
      <ErrorSummary errors={errors} />
      <span class="caption">
        Event type <span class="code">{view.code}</span>, version {view.version}
      </span>
      <h1 class="heading-l">{title}</h1>
      {!view.enabled && (
        <div class="notification-banner" role="region" aria-label="Disabled event type">
          <p class="body">
            This event type is disabled: it sends nothing, from here or from the API. <a href={`${EVENT_TYPES_PATH}/${view.id}`}>Enable it on its page</a> to send it.
          </p>
        </div>
      )}
      {shown.kind === "preview" ? (
        <>
          <PreviewResult preview={shown.preview} styleNonce={c.get("styleNonce")} />
          <h2 class="heading-m">Recipients</h2>
          <dl class="summary-list">
            {counts.map((x) => (
              <div class="summary-list__row">
                <dt class="summary-list__key">{CHANNEL_NAMES[x.channel]}</dt>
                <dd class="summary-list__value">{x.channel === "msgApp" ? plural(x.count, "chat post") : plural(x.count, "recipient")}</dd>
              </div>
            ))}
            <div class="summary-list__row">
              <dt class="summary-list__key">Total</dt>
              <dd class="summary-list__value">{plural(total, "recipient")}</dd>
            </div>
          </dl>
          {(shown.preview.suppressed?.length ?? 0) > 0 && <p class="body">{plural(shown.preview.suppressed!.length, "recipient")} on the suppression list left out.</p>}
          <form method="post" action={base}>
            <HiddenConfirmation confirmation={shown.confirmation} />
            <button type="submit" class="button">
              Send to {plural(total, "recipient")}
            </button>
          </form>
          {/* Back to the filled-in form, to change a value. */}
          <form method="post" action={`${base}/edit`}>
            <input type="hidden" name="params" value={shown.confirmation.params} />
            <button type="submit" class="button button--secondary">
              Change the parameters
            </button>
          </form>
        </>
      ) : (
        <>
          <p class="body">
            Sends the event type to its configured recipients, as an application's <span class="code">POST /api/v1/notifyevent</span> with these parameters would. You see what would be sent and to how many before you send.
          </p>
          <form method="post" action={`${base}/preview`} novalidate>
            <TextArea id="params" name="params" label="Parameters (JSON)" hint='The request&apos;s params, for example {"firstname": "Lucky", "emailaddress": "lucky@example.gov"}' value={text} error={errorFor(errors, "params")} rows={8} />
            <button type="submit" class="button">
              Preview
            </button>
          </form>
        </>
      )}
    </>,
    errors.length > 0 ? 422 : 200,
  );
}

function HiddenConfirmation({ confirmation }: { confirmation: Confirmation }) {
  return (
    <>
      <input type="hidden" name="params" value={confirmation.params} />
      <input type="hidden" name="version" value={String(confirmation.version)} />
      <input type="hidden" name="hash" value={confirmation.hash} />
      <input type="hidden" name="token" value={confirmation.token} />
    </>
  );
}

/** The page of a confirmation made for another version or other params: nothing was sent; preview again. */
function changedPage(c: Context<AdminEnv>, view: EventTypeView, params: string, version: number) {
  return page(
    c,
    `${view.name} has changed`,
    <>
      <a href="/admin/send" class="back-link">
        Back to Send
      </a>
      <h1 class="heading-l">{view.version !== version ? "The event type has changed since your preview" : "This is not what was previewed"}</h1>
      <p class="body">
        Nothing was sent. {view.version !== version ? `You previewed version ${Number.isFinite(version) ? version : "unknown"}; ${view.name} is now version ${view.version}.` : "The parameters differ from the preview's."} Preview it again to see what would be sent now.
      </p>
      <form method="post" action={`${sendEventPath(view.id)}/preview`}>
        <input type="hidden" name="params" value={params} />
        <button type="submit" class="button">
          Preview again
        </button>
      </form>
    </>,
    409,
  );
}

async function load(c: Context<AdminEnv>): Promise<{ ctx: ServiceContext; loaded: LoadedEventType; view: EventTypeView }> {
  const { ctx, loaded } = await loadEventType(c);
  return { ctx, loaded, view: toEventTypeView(loaded) };
}

/**
 * /admin/send/event/{eventTypeId} (send role, as `POST /api/v1/notifyevent`): a one-off send of an
 * event type to its configured recipients. Parameters (JSON) → preview (`previewSend` with
 * `explain`: the messages, each value's layer, the recipients per channel; nothing stored) →
 * "Send to N recipients", whose form carries the previewed params with a hash of them and the
 * version: a confirmation of another version is the 409 page. The send is the API's own
 * (`compileEventSend` of the version checked, `sendNotification`), under an idempotency key of
 * the confirmation, audited `event.sent`, and redirects to the notification in Activity.
 */
export function registerSendEvent(admin: Hono<AdminEnv>): void {
  admin.get("/send/event/:id", requireAdmin("send"), async (c) => {
    const { view } = await load(c);
    return render(c, view, "{}", { kind: "form", errors: [] });
  });

  admin.post("/send/event/:id/edit", requireAdmin("send"), async (c) => {
    const { view } = await load(c);
    return render(c, view, formString(await c.req.parseBody(), "params").slice(0, MAX_PARAMS + 1), { kind: "form", errors: [] });
  });

  admin.post("/send/event/:id/preview", requireAdmin("send"), async (c) => {
    const { ctx, loaded, view } = await load(c);
    const text = formString(await c.req.parseBody(), "params").slice(0, MAX_PARAMS + 1);
    const built = requestBody(view, text);
    if ("errors" in built) return render(c, view, text, { kind: "form", errors: built.errors });
    let preview: Preview;
    try {
      preview = await previewSend(ctx, compileEventSend(loaded, built.body), { explain: true });
    } catch (err) {
      return render(c, view, text, { kind: "form", errors: sendErrors(err) });
    }
    // What the confirmation carries is the params as the send reads them, not the text as typed.
    const params = JSON.stringify(built.params);
    const confirmation = { params, version: view.version, hash: await previewHash(view, params), token: crypto.randomUUID() };
    return render(c, view, text, { kind: "preview", preview, confirmation });
  });

  admin.post("/send/event/:id", requireAdmin("send"), async (c) => {
    const { ctx, loaded, view } = await load(c);
    const form = await c.req.parseBody();
    const text = formString(form, "params").slice(0, MAX_PARAMS + 1);
    const version = Number(formString(form, "version").slice(0, 12));
    const hash = formString(form, "hash").slice(0, 64);
    const token = formString(form, "token").slice(0, 36);
    const built = requestBody(view, text);
    if ("errors" in built) return render(c, view, text, { kind: "form", errors: built.errors });
    // Only a confirmation of this version and these params is sent; anything else is previewed again.
    if (version !== view.version || hash !== (await previewHash(view, text))) return changedPage(c, view, text, version);
    if (!TEMPLATE_ID.test(token)) return render(c, view, text, { kind: "form", errors: [{ field: "params", message: "Preview the send, then confirm it from the preview" }] });
    let result: SendResult;
    try {
      result = await sendOnce(ctx, compileEventSend(loaded, built.body), token, hash);
    } catch (err) {
      return render(c, view, text, { kind: "form", errors: sendErrors(err) });
    }
    if (result.kind === "in_flight") {
      return page(
        c,
        "Being sent",
        <>
          <h1 class="heading-l">Being sent</h1>
          <p class="body">
            This send is being made by another request. <a href="/admin/activity">Open Activity</a> in a moment to follow it.
          </p>
        </>,
        409,
      );
    }
    // A repeat (or a duplicate within the window) sent nothing: the first notification is where to look.
    if (!result.replayed) await audit(ctx, "event.sent", `notification:${result.notifyId}`, { eventType: view.id, code: view.code, version: view.version });
    return c.redirect(`/admin/activity/${result.notifyId}`, 303);
  });
}
