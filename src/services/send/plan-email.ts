import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { formatMailbox, parseMailbox } from "../../lib/mailbox";
import { hasUnsafeText, UNSAFE_TEXT_MESSAGE } from "../../lib/display-name";
import { renderEmail } from "../content/render-channel";
import { requiredParams } from "../render/engine";
import { toRenderer } from "../render/renderer";
import { validateEmailAddress } from "../recipients/email";
import type { DecodedAttachment } from "./attachments";
import type { SendContext } from "./context";
import { cascadeParams, joinPath, providerFor, templateFor } from "./defaults";
import { RenderProblems } from "../content/render-errors";
import type { EmailPayload, PlannedDelivery } from "./payloads";
import { renderRecipientList, validEmailRecipients, validEmails } from "./recipients";
import type { EmailChannelInput } from "./request-schema";

/** Error paths of values taken from the tenant's stored defaults (GET /api/v1/tenant/defaults). */
export const DEFAULTS_PATH = "tenantDefaults";

/** SES accepts 50 recipients per message (to + cc + bcc); we hold every provider to that. */
export const MAX_EMAIL_RECIPIENTS = 50;
/** GOV.UK Notify's bound: SES's 10 MB message limit, less base64 and the two alternatives. */
export const MAX_EMAIL_BODY_BYTES = 2_000_000;

export interface EmailPlanInput {
  channel: EmailChannelInput;
  /** Path of the channel object in the request ("" for /notifysimple/email, "email" otherwise). */
  path: string;
  topParams?: Record<string, unknown>;
  attachments: DecodedAttachment[];
  scheduledFor: Date | null;
}

/**
 * Resolves and renders one email: recipients, sender, content (inline or a stored template).
 * An email to several addresses is one provider call, so it is one delivery with one recipient
 * row per address.
 */
export async function planEmail(ctx: SendContext, input: EmailPlanInput): Promise<PlannedDelivery> {
  const { channel, path } = input;
  const at = (p: string) => joinPath(path, p);
  const invalid: FieldError[] = [];
  const errors: FieldError[] = [];
  const content = channel.content;

  const template = await templateFor(ctx, content, "email", at("content"));
  if (template) {
    for (const field of ["subject", "body", "bodyType"] as const) {
      if (content[field] !== undefined) invalid.push({ path: at(`content.${field}`), message: "Give either templateId or inline content, not both" });
    }
  } else {
    if (content.subject === undefined) invalid.push({ path: at("content.subject"), message: "Required (or give content.templateId)" });
    if (content.body === undefined) invalid.push({ path: at("content.body"), message: "Required (or give content.templateId)" });
  }
  if (invalid.length > 0) throw new ApiError("invalid_request", { detail: "The email content is incomplete", errors: invalid });

  const rendererName = content.renderer ?? template?.version.renderer ?? "mustache";
  const renderer = toRenderer(rendererName);
  const params = cascadeParams(ctx, input.topParams, channel.params);
  const problems = new RenderProblems();
  const defaults = ctx.settings.email ?? {};

  const to = renderRecipientList(channel.recipients.to, at("recipients.to"), params, renderer, problems);
  // A value taken from the tenant defaults is blamed where it lives, not on a field the caller never sent.
  const fromRequestOrDefaults = (given: string | string[] | undefined, requestPath: string, stored: string[] | undefined, storedPath: string) =>
    given !== undefined
      ? renderRecipientList(given, at(requestPath), params, renderer, problems)
      : renderRecipientList(stored, `${DEFAULTS_PATH}.${storedPath}`, params, renderer, problems);
  const cc = fromRequestOrDefaults(channel.recipients.cc, "recipients.cc", defaults.cc, "email.cc");
  const bcc = fromRequestOrDefaults(channel.recipients.bcc, "recipients.bcc", defaults.bcc, "email.bcc");
  const replyToEntries = fromRequestOrDefaults(channel.sender?.replyTo, "sender.replyTo", defaults.replyTo, "email.replyTo");

  const source = template
    ? {
        subject: template.version.subject ?? "",
        body: template.version.body ?? "",
        bodyType: template.version.bodyType ?? "text",
        renderer: toRenderer(template.version.renderer),
      }
    : { subject: content.subject!, body: content.body!, bodyType: content.bodyType ?? "text", renderer };
  // Syntax is checked per field first so a broken subject is reported at content.subject.
  problems.capture(at("content.subject"), () => requiredParams(source.subject, source.renderer), []);
  problems.capture(at("content.body"), () => requiredParams(source.body, source.renderer), []);
  const rendered = !problems.hasSyntaxErrors ? problems.capture(at("content.body"), () => renderEmail(source, params), null) : null;
  const renderError = problems.toError(at("params"), "email");
  if (renderError) throw renderError;

  const toValid = validEmailRecipients(to, errors);
  const ccValid = validEmailRecipients(cc, errors);
  const bccValid = validEmailRecipients(bcc, errors);
  const toList = toValid.map((r) => r.address);
  const ccList = ccValid.map((r) => r.address);
  const bccList = bccValid.map((r) => r.address);
  const total = toList.length + ccList.length + bccList.length;
  if (total === 0 && errors.length === 0) errors.push({ path: at("recipients.to"), message: "At least one recipient is required" });
  if (total > MAX_EMAIL_RECIPIENTS) {
    errors.push({ path: at("recipients"), message: `${total} recipients; an email may have at most ${MAX_EMAIL_RECIPIENTS} (to, cc and bcc together)` });
  }

  const from = channel.sender?.from ?? defaults.from ?? ctx.env.EMAIL_FROM;
  const fromPath = channel.sender?.from !== undefined ? at("sender.from") : defaults.from !== undefined ? `${DEFAULTS_PATH}.email.from` : from ? "EMAIL_FROM" : at("sender.from");
  if (!from) {
    errors.push({ path: fromPath, message: "No sender: give sender.from or set the tenant's email.from default" });
  } else if (hasUnsafeText(from)) {
    errors.push({ path: fromPath, message: UNSAFE_TEXT_MESSAGE });
  } else if (!validateEmailAddress(parseMailbox(from).email).ok) {
    errors.push({ path: fromPath, message: `Not a valid email address: ${from}` });
  }
  const replyTo = validEmails(replyToEntries, errors);

  if (rendered) {
    if (rendered.subject.length > 998) errors.push({ path: at("content.subject"), message: "Longer than 998 characters once rendered" });
    const bytes = new TextEncoder().encode(rendered.html ?? rendered.body).byteLength;
    if (bytes > MAX_EMAIL_BODY_BYTES) {
      errors.push({ path: at("content.body"), message: `${bytes} bytes once rendered; emails may be at most ${MAX_EMAIL_BODY_BYTES}` });
    }
  }
  if (errors.length > 0) throw new ApiError("unprocessable", { detail: "The email cannot be sent as given", errors });

  const sender = parseMailbox(from!);
  const payload: EmailPayload = {
    provider: providerFor(ctx, "email"),
    from: formatMailbox(sender),
    replyTo,
    recipients: { to: toList, ...(ccList.length ? { cc: ccList } : {}), ...(bccList.length ? { bcc: bccList } : {}) },
    content: {
      subject: rendered!.subject,
      body: rendered!.body,
      bodyType: rendered!.bodyType,
      encoding: "utf-8",
      renderer: rendererName,
      ...(rendered!.html !== undefined ? { html: rendered!.html } : {}),
      ...(rendered!.text !== undefined ? { text: rendered!.text } : {}),
    },
    attachments: input.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.content.byteLength })),
  };
  return {
    channel: "email",
    provider: payload.provider,
    payload,
    recipients: [
      ...toValid.map(({ address, path }) => ({ address, role: "to" as const, path })),
      ...ccValid.map(({ address, path }) => ({ address, role: "cc" as const, path })),
      ...bccValid.map(({ address, path }) => ({ address, role: "bcc" as const, path })),
    ],
    scheduledFor: input.scheduledFor,
    template: template ? { id: template.template.id, version: template.version.version } : null,
  };
}
