import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { renderSms } from "../content/render-channel";
import { toRenderer } from "../render/renderer";
import { SMS_MAX_LENGTH } from "../render/sms";
import type { SendContext } from "./context";
import { cascadeParams, defaultRegion, joinPath, providerFor, templateFor } from "./defaults";
import { RenderProblems } from "../content/render-errors";
import type { PlannedDelivery, SmsPayload } from "./payloads";
import { renderRecipientList, validPhoneRecipients } from "./recipients";
import type { SmsChannelInput } from "./request-schema";

export const MAX_SMS_RECIPIENTS = 50;

export interface SmsPlanInput {
  channel: SmsChannelInput;
  path: string;
  topParams?: Record<string, unknown>;
  scheduledFor: Date | null;
}

/** Renders one text and plans one delivery per phone number (an SMS has a single recipient). */
export async function planSms(ctx: SendContext, input: SmsPlanInput): Promise<PlannedDelivery[]> {
  const { channel, path } = input;
  const at = (p: string) => joinPath(path, p);
  const content = channel.content;
  const body = content.body ?? content.message;

  const errors: FieldError[] = [];
  if (channel.attachments !== undefined && channel.attachments.length > 0) {
    errors.push({ path: at("attachments"), message: "An SMS cannot carry attachments" });
  }
  const template = await templateFor(ctx, content, "sms", at("content"));
  if (template && body !== undefined) {
    throw new ApiError("invalid_request", {
      detail: "Give either templateId or inline content, not both",
      errors: [{ path: at(content.body !== undefined ? "content.body" : "content.message"), message: "Give either templateId or inline content, not both" }],
    });
  }
  if (!template && body === undefined) {
    throw new ApiError("invalid_request", {
      detail: "The SMS content is incomplete",
      errors: [{ path: at("content.body"), message: "Required (or give content.templateId)" }],
    });
  }

  const rendererName = content.renderer ?? template?.version.renderer ?? "mustache";
  const renderer = toRenderer(rendererName);
  const params = cascadeParams(ctx, input.topParams, channel.params);
  const problems = new RenderProblems();
  const to = renderRecipientList(channel.recipients.to, at("recipients.to"), params, renderer, problems);
  const source = template ? { body: template.version.body ?? "", renderer: toRenderer(template.version.renderer) } : { body: body!, renderer };
  const rendered = problems.capture(at("content.body"), () => renderSms(source, params), null);
  const renderError = problems.toError(at("params"), "SMS");
  if (renderError) throw renderError;

  const numbers = validPhoneRecipients(to, defaultRegion(ctx), errors);
  if (numbers.length === 0 && to.length === 0) errors.push({ path: at("recipients.to"), message: "At least one phone number is required" });
  if (numbers.length > MAX_SMS_RECIPIENTS) {
    errors.push({ path: at("recipients.to"), message: `${numbers.length} numbers; at most ${MAX_SMS_RECIPIENTS} per request` });
  }
  if (rendered && rendered.body.length === 0) errors.push({ path: at("content.body"), message: "The message is empty once rendered" });
  if (rendered && rendered.length > SMS_MAX_LENGTH) {
    errors.push({ path: at("content.body"), message: `${rendered.length} characters once rendered; text messages may be at most ${SMS_MAX_LENGTH}` });
  }
  if (errors.length > 0) throw new ApiError("unprocessable", { detail: "The SMS cannot be sent as given", errors });

  const provider = providerFor(ctx, "sms");
  const from = channel.sender?.senderId ?? ctx.settings.sms?.senderId ?? ctx.env.SMS_FROM ?? "";
  return numbers.map(({ address: number, path }) => {
    const payload: SmsPayload = {
      provider,
      from,
      recipients: { to: [number] },
      content: { body: rendered!.body, length: rendered!.length, fragments: rendered!.fragments, encoding: rendered!.encoding },
    };
    return {
      channel: "sms" as const,
      provider,
      payload,
      recipients: [{ address: number, role: null, path }],
      scheduledFor: input.scheduledFor,
      template: template ? { id: template.template.id, version: template.version.version } : null,
    };
  });
}
