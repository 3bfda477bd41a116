import type { Context, Hono } from "hono";
import { zodIssuesToFieldErrors } from "../../../lib/errors/zod-issues";
import { toEventTypeView, type EventTypeView } from "../../../services/event-types/event-types";
import { eventSendRequest } from "../../../services/notify-event/notify-event";
import { NotifyEventSchema } from "../../../services/notify-event/request-schema";
import { previewSend, type Preview } from "../../../services/send/send";
import type { AdminEnv } from "../../env";
import { EmailPreviewFrame } from "../../email-preview";
import { errorFor, ErrorSummary, type FormError, page, TextArea } from "../../layout";
import { requireAdmin } from "../../middleware";
import { formString } from "../templates/shared";
import { apiFormErrors, CHANNEL_NAMES, EVENT_TYPES_PATH, loadEventType, SourceTag } from "./shared";

export const MAX_PARAMS = 100_000;

/** The params textarea as the request's `params`, or the error at the field. */
export function paramsOf(text: string): { params: Record<string, unknown> } | { error: string } {
  if (text.trim() === "") return { params: {} };
  if (text.length > MAX_PARAMS) return { error: `Parameters must be ${MAX_PARAMS.toLocaleString("en")} characters or fewer` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: "Parameters must be JSON, like {\"firstname\": \"Lucky\"}" };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { error: "Parameters must be a JSON object" };
  return { params: value as Record<string, unknown> };
}

/**
 * /admin/event-types/{id}/preview: a JSON params field; POST renders what `POST
 * /api/v1/notifyevent?preview=true&explain=true` answers: the messages and each resolved value's
 * layer. Send role, as the API's route; nothing is stored.
 */
export function registerEventTypePreview(admin: Hono<AdminEnv>): void {
  admin.get("/event-types/:id/preview", requireAdmin("send"), async (c) => {
    const { loaded } = await loadEventType(c);
    return render(c, toEventTypeView(loaded), "{}", []);
  });

  admin.post("/event-types/:id/preview", requireAdmin("send"), async (c) => {
    const { ctx, loaded } = await loadEventType(c);
    const view = toEventTypeView(loaded);
    const text = formString(await c.req.parseBody(), "params").slice(0, MAX_PARAMS + 1);
    const given = paramsOf(text);
    if ("error" in given) return render(c, view, text, [{ field: "params", message: given.error }]);
    const parsed = NotifyEventSchema.safeParse({ notificationEventType: view.id, params: given.params });
    if (!parsed.success) return render(c, view, text, toParamErrors(zodIssuesToFieldErrors(parsed.error)));
    try {
      const preview = await previewSend(ctx, await eventSendRequest(ctx, parsed.data), { explain: true });
      return render(c, view, text, [], preview);
    } catch (err) {
      return render(c, view, text, apiFormErrors(err, "params").map((e) => ({ field: "params", message: e.message })));
    }
  });
}

const toParamErrors = (errors: { path?: string; message: string }[]): FormError[] => errors.map((e) => ({ field: "params", message: e.path ? `${e.path}: ${e.message}` : e.message }));

function render(c: Context<AdminEnv>, view: EventTypeView, text: string, errors: FormError[], preview?: Preview) {
  return page(
    c,
    `${errors.length > 0 ? "Error: " : ""}Preview ${view.name}`,
    <>
      <a href={`${EVENT_TYPES_PATH}/${view.id}`} class="back-link">
        Back to {view.name}
      </a>
      <ErrorSummary errors={errors} />
      <h1 class="heading-l">Preview {view.name}</h1>
      <form method="post" action={`${EVENT_TYPES_PATH}/${view.id}/preview`} novalidate>
        <TextArea id="params" name="params" label="Parameters (JSON)" hint='The request&apos;s params, for example {"firstname": "Lucky", "emailaddress": "lucky@example.gov"}' value={text} error={errorFor(errors, "params")} rows={6} />
        <button type="submit" class="button">
          Preview
        </button>
      </form>
      {preview && <PreviewResult preview={preview} styleNonce={c.get("styleNonce")} />}
      {preview && (
        <p class="body">
          <a href={`${EVENT_TYPES_PATH}/${view.id}/test`}>Send me a test</a>
        </p>
      )}
    </>,
    errors.length > 0 ? 422 : 200,
  );
}

/** The messages a preview answers, then each resolved value's layer (also the Send screen's event preview). */
export function PreviewResult({ preview, styleNonce }: { preview: Preview; styleNonce: string }) {
  const row = (key: string, value: unknown) => (
    <div class="summary-list__row">
      <dt class="summary-list__key">{key}</dt>
      <dd class="summary-list__value">{value as never}</dd>
    </div>
  );
  const channels = preview.resolution?.channels ?? {};
  return (
    <>
      <h2 class="heading-m">Messages</h2>
      {(preview.email ?? []).map((m) => (
        <dl class="summary-list">
          {row("Channel", "Email")}
          {row("To", m.recipients.to.join(", "))}
          {(m.recipients.cc?.length ?? 0) > 0 && row("Cc", m.recipients.cc!.join(", "))}
          {(m.recipients.bcc?.length ?? 0) > 0 && row("Bcc", m.recipients.bcc!.join(", "))}
          {row("From", m.from)}
          {m.replyTo.length > 0 && row("Reply to", m.replyTo.join(", "))}
          {row("Subject", m.content.subject)}
          {m.attachments.length > 0 && row("Attachments", m.attachments.map((a) => a.filename).join(", "))}
          {m.content.html !== undefined && row("HTML part", <EmailPreviewFrame html={m.content.html} title="HTML email preview" nonce={styleNonce} />)}
          {row("Text part", <pre class="pre">{m.content.text ?? m.content.body}</pre>)}
        </dl>
      ))}
      {(preview.sms ?? []).map((m) => (
        <dl class="summary-list">
          {row("Channel", "SMS")}
          {row("To", m.recipients.to.join(", "))}
          {row("From", m.from)}
          {row("Message", <pre class="pre">{m.content.body}</pre>)}
        </dl>
      ))}
      {(preview.msgApp?.length ?? 0) > 0 && <p class="body">And {preview.msgApp!.length} chat message(s).</p>}
      <h2 class="heading-m">Where each value came from</h2>
      <table class="table">
        <caption class="visually-hidden">Each resolved value and the layer it came from</caption>
        <thead>
          <tr>
            <th scope="col">Channel</th>
            <th scope="col">Field</th>
            <th scope="col">Layer</th>
          </tr>
        </thead>
        <tbody>
          {(Object.entries(channels) as [keyof typeof CHANNEL_NAMES, Record<string, string>][]).flatMap(([channel, fields]) =>
            Object.entries(fields).map(([field, source]) => (
              <tr>
                <td>{CHANNEL_NAMES[channel]}</td>
                <td class="code">{field}</td>
                <td>
                  <SourceTag source={source} />
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </>
  );
}
