import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { renderSms } from "../content/render-channel";
import { toRenderer } from "../render/renderer";
import { SMS_MAX_LENGTH } from "../render/sms";
import type { GroupDirectory } from "../groups/expand";
import type { SendContext } from "./context";
import { resolveRegion, type ResolvedChannel } from "../resolve/cascade";
import { joinPath, providerFor, templateFor } from "./defaults";
import { RenderProblems } from "../content/render-errors";
import type { PlannedDelivery, SmsPayload } from "./payloads";
import { renderRecipientEntries, validPhoneRecipients } from "./recipients";
import { failedSubscriptionDelivery, subscriptionRecipientEntries } from "../tenant-services/subscription";
import { refDecides, storedSmsSender } from "../senders/refs";

export const MAX_SMS_RECIPIENTS = 50;

export interface SmsPlanInput {
  /** The channel's effective settings (resolve/cascade.ts). */
  resolved: ResolvedChannel;
  /** Where a missing template parameter is reported. */
  paramsPath: string;
  scheduledFor: Date | null;
  /** The groups the request names (planRequest loads them once); `group:<name>` in to expands to members' phones. */
  groups?: GroupDirectory;
  /** The event type code of a /notifyevent send, told to a subscription service. */
  eventType?: string;
}

/** Renders one text and plans one delivery per phone number (an SMS has a single recipient). */
export async function planSms(ctx: SendContext, input: SmsPlanInput): Promise<PlannedDelivery[]> {
  const { resolved: r } = input;
  const content = r.subtree("content") as { body?: string; renderer?: string };
  const body = content.body;

  const errors: FieldError[] = [];
  const attachments = r.get<unknown[]>("attachments");
  if (attachments !== undefined && attachments.length > 0) {
    errors.push({ path: r.pathOf("attachments"), message: "An SMS cannot carry attachments" });
  }
  const template = await templateFor(ctx, r, "sms");
  if (!template && body === undefined) {
    throw new ApiError("invalid_request", {
      detail: "The SMS content is incomplete",
      errors: [{ path: r.pathOf("content.body"), message: "Required (or give content.templateId)" }],
    });
  }

  const rendererName = content.renderer ?? template?.version.renderer ?? "mustache";
  const renderer = toRenderer(rendererName);
  const params = r.params();
  const problems = new RenderProblems();
  const to = renderRecipientEntries(r.entries<string>("recipients.to"), params, renderer, problems, input.groups?.expander("sms"));
  const bodyPath = template ? r.pathOf("content.templateId") : r.pathOf("content.body");
  const source = template ? { body: template.version.body ?? "", renderer: toRenderer(template.version.renderer) } : { body: body!, renderer };
  const rendered = problems.capture(bodyPath, () => renderSms(source, params), null);
  const renderError = problems.toError(input.paramsPath, "SMS");
  if (renderError) throw renderError;
  // A subscription service adds numbers, once the text is known to render.
  const fromService = await subscriptionRecipientEntries(ctx, { service: r.get<string>("recipients.subscription"), path: r.pathOf("recipients.subscription"), channel: "sms", params, paramsPath: input.paramsPath, eventType: input.eventType });
  to.push(...fromService.to);

  const numbers = validPhoneRecipients(to, resolveRegion(ctx).value, errors);
  if (numbers.length === 0 && to.length === 0 && !fromService.failure) errors.push({ path: r.pathOf("recipients.to"), message: "At least one phone number is required" });
  if (numbers.length > MAX_SMS_RECIPIENTS) {
    errors.push({ path: joinPath(r.basePath, "recipients.to"), message: `${numbers.length} numbers; at most ${MAX_SMS_RECIPIENTS} per request` });
  }
  if (rendered && rendered.body.length === 0) errors.push({ path: bodyPath, message: "The message is empty once rendered" });
  if (rendered && rendered.length > SMS_MAX_LENGTH) {
    errors.push({ path: bodyPath, message: `${rendered.length} characters once rendered; text messages may be at most ${SMS_MAX_LENGTH}` });
  }
  let storedFrom: string | null = null;
  if (refDecides(r, "sender.senderIdRef", "sender.senderId")) {
    storedFrom = await storedSmsSender(ctx, r.get<string>("sender.senderIdRef")!);
    if (storedFrom === null) errors.push({ path: r.pathOf("sender.senderIdRef"), message: "None of your SMS senders has this id" });
  }
  if (errors.length > 0) throw new ApiError("unprocessable", { detail: "The SMS cannot be sent as given", errors });

  const providers = providerFor(ctx, "sms", r);
  const provider = providers[0]!;
  const from = storedFrom ?? r.get<string>("sender.senderId") ?? "";
  const payloadFor = (to: string[]): SmsPayload => ({
    provider,
    from,
    recipients: { to },
    content: { body: rendered!.body, length: rendered!.length, fragments: rendered!.fragments, encoding: rendered!.encoding },
  });
  const base = { channel: "sms" as const, provider, ...(providers.length > 1 ? { providers } : {}), scheduledFor: input.scheduledFor, template: template ? { id: template.template.id, version: template.version.version } : null };
  const planned: PlannedDelivery[] = numbers.map(({ address: number, path }) => ({ ...base, payload: payloadFor([number]), recipients: [{ address: number, role: null, path }] }));
  if (fromService.failure) planned.push(failedSubscriptionDelivery({ ...base, payload: payloadFor([]) }, fromService.failure));
  return planned;
}
