import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { formatMailbox, parseMailbox } from "../../lib/mailbox";
import { hasUnsafeText, UNSAFE_TEXT_MESSAGE } from "../../lib/display-name";
import { renderEmail } from "../content/render-channel";
import { requiredParams } from "../render/engine";
import { toRenderer } from "../render/renderer";
import { validateEmailAddress } from "../recipients/email";
import type { GroupDirectory, GroupExpander } from "../groups/expand";
import type { DecodedAttachment } from "./attachments";
import type { SendContext } from "./context";
import type { ResolvedChannel } from "../resolve/cascade";
import { joinPath, providerFor, templateFor } from "./defaults";
import { RenderProblems } from "../content/render-errors";
import type { EmailPayload, PlannedDelivery } from "./payloads";
import { planServiceAttachment, type ServiceAttachmentRef } from "../tenant-services/attachment";
import { failedSubscriptionDelivery, subscriptionRecipientEntries } from "../tenant-services/subscription";
import { renderRecipientEntries, validEmailRecipients, validEmails } from "./recipients";
import type { BodyType } from "../../db/schema";
import { refDecides, storedReplyTo } from "../senders/refs";
import { linkedFiles, planEmailFiles, type PlannedEmailFile } from "../email-files/plan";

/** SES accepts 50 recipients per message (to + cc + bcc); we hold every provider to that. */
export const MAX_EMAIL_RECIPIENTS = 50;
/** GOV.UK Notify's bound: SES's 10 MB message limit, less base64 and the two alternatives. */
export const MAX_EMAIL_BODY_BYTES = 2_000_000;

export interface EmailPlanInput {
  /** The channel's effective settings: every layer of the cascade applied (resolve/cascade.ts). */
  resolved: ResolvedChannel;
  /** Where a missing template parameter is reported (`email.params`, or `params` for event sends). */
  paramsPath: string;
  attachments: DecodedAttachment[];
  /** `{service, params?, filename?}` entries of the attachment lists: documents an attachment service renders at delivery. */
  serviceAttachments?: { entry: { service: string; params?: Record<string, unknown>; filename?: string }; path: string }[];
  scheduledFor: Date | null;
  /** The groups the request names (planRequest loads them once); `group:<name>` in to/cc/bcc expands to members' emails. */
  groups?: GroupDirectory;
  /** The event type code of a /notifyevent send, told to a subscription service. */
  eventType?: string;
  /**
   * Where the email's files (file parameters, email-files/plan.ts) are collected for storing with
   * the notification; without it (a mail merge's rows) a file parameter is refused.
   */
  emailFiles?: PlannedEmailFile[];
}

/**
 * Renders one email from its resolved settings: recipients, sender, content (inline or a stored
 * template). Every value is blamed where it was written, whichever layer that was. An email to
 * several addresses is one provider call, so it is one delivery with one recipient row per address;
 * a subscription service that could not be asked adds a failed delivery of its own.
 */
export async function planEmail(ctx: SendContext, input: EmailPlanInput): Promise<PlannedDelivery[]> {
  const { resolved: r } = input;
  const errors: FieldError[] = [];
  const content = r.subtree("content") as { subject?: string; body?: string; bodyType?: BodyType; renderer?: string };

  const template = await templateFor(ctx, r, "email");
  if (!template) {
    const invalid: FieldError[] = [];
    if (content.subject === undefined) invalid.push({ path: r.pathOf("content.subject"), message: "Required (or give content.templateId)" });
    if (content.body === undefined) invalid.push({ path: r.pathOf("content.body"), message: "Required (or give content.templateId)" });
    if (invalid.length > 0) throw new ApiError("invalid_request", { detail: "The email content is incomplete", errors: invalid });
  }

  const rendererName = content.renderer ?? template?.version.renderer ?? "mustache";
  const renderer = toRenderer(rendererName);
  // File parameters become their download links before anything renders with the params.
  const files = await planEmailFiles(ctx, r, r.params(), input.paramsPath, { merge: input.emailFiles === undefined });
  const params = files.params;
  const problems = new RenderProblems();
  // Each value is blamed where it lives: a request field, an event type, or a tenant default.
  const expandGroup = input.groups?.expander("email");
  const list = (leaf: string, expand?: GroupExpander) => renderRecipientEntries(r.entries<string>(leaf), params, renderer, problems, expand);
  const to = list("recipients.to", expandGroup);
  const cc = list("recipients.cc", expandGroup);
  const bcc = list("recipients.bcc", expandGroup);
  const replyToEntries = list("sender.replyTo");

  const source = template
    ? {
        subject: template.version.subject ?? "",
        body: template.version.body ?? "",
        bodyType: template.version.bodyType ?? "text",
        renderer: toRenderer(template.version.renderer),
      }
    : { subject: content.subject!, body: content.body!, bodyType: content.bodyType ?? "text", renderer };
  const subjectPath = template ? r.pathOf("content.templateId") : r.pathOf("content.subject");
  const bodyPath = template ? r.pathOf("content.templateId") : r.pathOf("content.body");
  // Syntax is checked per field first so a broken subject is reported at content.subject.
  problems.capture(subjectPath, () => requiredParams(source.subject, source.renderer), []);
  problems.capture(bodyPath, () => requiredParams(source.body, source.renderer), []);
  const rendered = !problems.hasSyntaxErrors ? problems.capture(bodyPath, () => renderEmail(source, params), null) : null;
  const renderError = problems.toError(input.paramsPath, "email");
  if (renderError) throw renderError;

  // The tenant's services, once the content is known to render: a subscription service adds recipients, attachment services are planned.
  const fromService = await subscriptionRecipientEntries(ctx, { service: r.get<string>("recipients.subscription"), path: r.pathOf("recipients.subscription"), channel: "email", params, paramsPath: input.paramsPath, eventType: input.eventType });
  to.push(...fromService.to);
  cc.push(...fromService.cc);
  bcc.push(...fromService.bcc);
  const serviceAttachments: ServiceAttachmentRef[] = [];
  for (const { entry, path } of input.serviceAttachments ?? []) serviceAttachments.push(await planServiceAttachment(ctx, entry, params, path));

  // One person is one recipient: an address in to is dropped from cc and bcc, one in cc from bcc
  // (case-insensitively, after normalisation), so nobody gets the same email twice.
  const seen = new Set<string>();
  const once = (list: ReturnType<typeof validEmailRecipients>) =>
    list.filter((r) => {
      const key = r.address.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const toValid = once(validEmailRecipients(to, errors));
  const ccValid = once(validEmailRecipients(cc, errors));
  const bccValid = once(validEmailRecipients(bcc, errors));
  const toList = toValid.map((r) => r.address);
  const ccList = ccValid.map((r) => r.address);
  const bccList = bccValid.map((r) => r.address);
  const total = toList.length + ccList.length + bccList.length;
  // A failed subscription service is recorded as its own failed message; it still counts as a recipient source.
  if (total === 0 && errors.length === 0 && !fromService.failure) errors.push({ path: r.pathOf("recipients.to"), message: "At least one recipient is required" });
  if (total > MAX_EMAIL_RECIPIENTS) {
    errors.push({ path: joinPath(r.basePath, "recipients"), message: `${total} recipients; an email may have at most ${MAX_EMAIL_RECIPIENTS} (to, cc and bcc together)` });
  }

  const from = r.get<string>("sender.from");
  const fromPath = r.pathOf("sender.from");
  if (!from) {
    errors.push({ path: fromPath, message: "No sender: give sender.from or set the tenant's email.from default" });
  } else if (hasUnsafeText(from)) {
    errors.push({ path: fromPath, message: UNSAFE_TEXT_MESSAGE });
  } else if (!validateEmailAddress(parseMailbox(from).email).ok) {
    errors.push({ path: fromPath, message: `Not a valid email address: ${from}` });
  }
  let replyTo = validEmails(replyToEntries, errors);
  if (refDecides(r, "sender.replyToId", "sender.replyTo")) {
    const stored = await storedReplyTo(ctx, r.get<string>("sender.replyToId")!);
    if (stored === null) errors.push({ path: r.pathOf("sender.replyToId"), message: "None of your reply-to addresses has this id" });
    else replyTo = [stored];
  }

  if (rendered) {
    if (rendered.subject.length > 998) errors.push({ path: subjectPath, message: "Longer than 998 characters once rendered" });
    const bytes = new TextEncoder().encode(rendered.html ?? rendered.body).byteLength;
    if (bytes > MAX_EMAIL_BODY_BYTES) {
      errors.push({ path: bodyPath, message: `${bytes} bytes once rendered; emails may be at most ${MAX_EMAIL_BODY_BYTES}` });
    }
  }
  if (errors.length > 0) throw new ApiError("unprocessable", { detail: "The email cannot be sent as given", errors });
  if (files.files.length > 0) {
    const text = [rendered!.subject, rendered!.body, rendered!.html ?? "", rendered!.text ?? ""];
    input.emailFiles!.push(...(await linkedFiles(files.files, text, [...toList, ...ccList, ...bccList])));
  }

  const sender = parseMailbox(from!);
  const providers = providerFor(ctx, "email", r);
  const payload: EmailPayload = {
    provider: providers[0]!,
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
    ...(serviceAttachments.length > 0 ? { serviceAttachments } : {}),
  };
  const base = { channel: "email" as const, provider: payload.provider, ...(providers.length > 1 ? { providers } : {}), payload, scheduledFor: input.scheduledFor, template: template ? { id: template.template.id, version: template.version.version } : null };
  const planned: PlannedDelivery[] = [];
  if (total > 0) {
    planned.push({
      ...base,
      recipients: [
        ...toValid.map(({ address, path }) => ({ address, role: "to" as const, path })),
        ...ccValid.map(({ address, path }) => ({ address, role: "cc" as const, path })),
        ...bccValid.map(({ address, path }) => ({ address, role: "bcc" as const, path })),
      ],
    });
  }
  if (fromService.failure) planned.push(failedSubscriptionDelivery(base, fromService.failure));
  return planned;
}
