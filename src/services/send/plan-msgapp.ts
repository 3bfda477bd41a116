import { redactUrl } from "../../channels/chat/webhook-http";
import type { ChatTargetType } from "../../channels/types";
import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { checkOutboundUrl, outboundPolicy } from "../../lib/outbound/url-policy";
import { renderChat } from "../content/render-channel";
import { toRenderer } from "../render/renderer";
import type { SendContext } from "./context";
import { cascadeParams, joinPath, SIMULATOR, templateFor } from "./defaults";
import { RenderProblems } from "../content/render-errors";
import type { MsgAppPayload, PlannedDelivery } from "./payloads";
import type { MsgAppChannelInput } from "./request-schema";

export interface MsgAppPlanInput {
  channel: MsgAppChannelInput;
  path: string;
  topParams?: Record<string, unknown>;
  scheduledFor: Date | null;
}

type ResolvedTarget = MsgAppPayload["target"];

/** Resolves each target (a named tenant target or an inline one) and plans one post per target. */
export async function planMsgApp(ctx: SendContext, input: MsgAppPlanInput): Promise<PlannedDelivery[]> {
  const { channel, path } = input;
  const at = (p: string) => joinPath(path, p);
  const content = channel.content;
  const errors: FieldError[] = [];
  if (channel.attachments !== undefined && channel.attachments.length > 0) {
    errors.push({ path: at("attachments"), message: "Chat targets cannot carry attachments" });
  }

  const refs = Array.isArray(channel.target) ? channel.target : [channel.target];
  const targets: ResolvedTarget[] = [];
  const policy = outboundPolicy(ctx.env);
  refs.forEach((ref, i) => {
    const refPath = Array.isArray(channel.target) ? at(`target[${i}]`) : at("target");
    if (typeof ref === "string") {
      const named = ctx.settings.msgApp?.targets?.[ref];
      if (!named) {
        const known = Object.keys(ctx.settings.msgApp?.targets ?? {});
        errors.push({ path: refPath, message: `No chat target named "${ref}" in the tenant defaults${known.length ? ` (known: ${known.join(", ")})` : ""}` });
        return;
      }
      targets.push({ ...named, name: ref });
      return;
    }
    const check = checkOutboundUrl(ref.url, policy);
    if (!check.ok) errors.push({ path: `${refPath}.url`, message: check.reason });
    else targets.push({ type: ref.type as ChatTargetType, url: ref.url, ...(ref.secret ? { secret: ref.secret } : {}) });
  });

  const template = await templateFor(ctx, content, "msgApp", at("content"));
  if (template && (content.body !== undefined || content.card !== undefined)) {
    throw new ApiError("invalid_request", {
      detail: "Give either templateId or inline content, not both",
      errors: [{ path: at("content.templateId"), message: "Give either templateId or inline content, not both" }],
    });
  }
  if (!template && content.body === undefined && content.card === undefined) {
    throw new ApiError("invalid_request", {
      detail: "The chat content is incomplete",
      errors: [{ path: at("content.body"), message: "Required: a body, a card, or content.templateId" }],
    });
  }

  const rendererName = content.renderer ?? template?.version.renderer ?? "mustache";
  const params = cascadeParams(ctx, input.topParams, channel.params);
  const problems = new RenderProblems();
  const source = template
    ? { body: template.version.body ?? undefined, card: template.version.card ?? undefined, renderer: toRenderer(template.version.renderer) }
    : { body: content.body, card: content.card, renderer: toRenderer(rendererName) };
  const rendered = problems.capture(at("content.body"), () => renderChat(source, params), null);
  const renderError = problems.toError(at("params"), "chat");
  if (renderError) throw renderError;
  if (errors.length > 0) throw new ApiError("unprocessable", { detail: "The chat message cannot be sent as given", errors });

  return targets.map((target) => {
    const provider = ctx.principal.keyType === "test" ? SIMULATOR : target.type;
    const payload: MsgAppPayload = { provider, target, content: rendered! };
    return {
      channel: "msgApp" as const,
      provider,
      payload,
      // The recipient column shows a named target, or only the host: webhook URLs carry their secret.
      recipients: [{ address: target.name ?? redactUrl(target.url), role: null }],
      scheduledFor: input.scheduledFor,
      template: template ? { id: template.template.id, version: template.version.version } : null,
    };
  });
}
