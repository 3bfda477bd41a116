import { redactUrl } from "../../channels/chat/webhook-http";
import type { ChatTargetType } from "../../channels/types";
import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { checkOutboundUrl, outboundPolicy } from "../../lib/outbound/url-policy";
import { renderChat } from "../content/render-channel";
import { toRenderer } from "../render/renderer";
import type { SendContext } from "./context";
import type { ResolvedChannel } from "../resolve/cascade";
import { SIMULATOR, templateFor } from "./defaults";
import { RenderProblems } from "../content/render-errors";
import type { MsgAppPayload, PlannedDelivery } from "./payloads";

export interface MsgAppPlanInput {
  /** The channel's effective settings (resolve/cascade.ts). */
  resolved: ResolvedChannel;
  /** Where a missing template parameter is reported. */
  paramsPath: string;
  scheduledFor: Date | null;
}

type ResolvedTarget = MsgAppPayload["target"];
type TargetRef = string | { type: string; url: string; secret?: string };

/** Resolves each target (a named tenant target or an inline one) and plans one post per target. */
export async function planMsgApp(ctx: SendContext, input: MsgAppPlanInput): Promise<PlannedDelivery[]> {
  const { resolved: r } = input;
  const content = r.subtree("content") as { body?: string; card?: Record<string, unknown> | unknown[]; renderer?: string };
  const errors: FieldError[] = [];
  const attachments = r.get<unknown[]>("attachments");
  if (attachments !== undefined && attachments.length > 0) {
    errors.push({ path: r.pathOf("attachments"), message: "Chat targets cannot carry attachments" });
  }

  const refs = r.entries<TargetRef>("target");
  if (refs.length === 0) errors.push({ path: r.pathOf("target"), message: "Required: a target named in your tenant defaults, or {type, url}" });
  const targets: (ResolvedTarget & { path: string })[] = [];
  const policy = outboundPolicy(ctx.env);
  for (const { value: ref, path: refPath } of refs) {
    if (typeof ref === "string") {
      // Own names only: "constructor" or "toString" would otherwise find Object.prototype's members.
      const targetsByName = ctx.settings.msgApp?.targets;
      const named = targetsByName && Object.hasOwn(targetsByName, ref) ? targetsByName[ref] : undefined;
      if (!named) {
        const known = Object.keys(ctx.settings.msgApp?.targets ?? {});
        errors.push({ path: refPath, message: `No chat target named "${ref}" in the tenant defaults${known.length ? ` (known: ${known.join(", ")})` : ""}` });
        continue;
      }
      targets.push({ ...named, name: ref, path: refPath });
      continue;
    }
    const check = checkOutboundUrl(ref.url, policy);
    if (!check.ok) errors.push({ path: `${refPath}.url`, message: check.reason });
    else targets.push({ type: ref.type as ChatTargetType, url: ref.url, ...(ref.secret ? { secret: ref.secret } : {}), path: refPath });
  }

  const template = await templateFor(ctx, r, "msgApp");
  if (!template && content.body === undefined && content.card === undefined) {
    throw new ApiError("invalid_request", {
      detail: "The chat content is incomplete",
      errors: [{ path: r.pathOf("content.body"), message: "Required: a body, a card, or content.templateId" }],
    });
  }

  const rendererName = content.renderer ?? template?.version.renderer ?? "mustache";
  const params = r.params();
  const bodyPath = template ? r.pathOf("content.templateId") : r.pathOf(content.body !== undefined ? "content.body" : "content.card");
  const problems = new RenderProblems();
  const source = template
    ? { body: template.version.body ?? undefined, card: template.version.card ?? undefined, renderer: toRenderer(template.version.renderer) }
    : { body: content.body, card: content.card, renderer: toRenderer(rendererName) };
  const rendered = problems.capture(bodyPath, () => renderChat(source, params), null);
  const renderError = problems.toError(input.paramsPath, "chat");
  if (renderError) throw renderError;
  if (errors.length > 0) throw new ApiError("unprocessable", { detail: "The chat message cannot be sent as given", errors });

  return targets.map(({ path, ...target }) => {
    const provider = ctx.principal.keyType === "test" ? SIMULATOR : target.type;
    const payload: MsgAppPayload = { provider, target, content: rendered! };
    return {
      channel: "msgApp" as const,
      provider,
      payload,
      // The recipient column shows a named target, or only the host: webhook URLs carry their secret.
      recipients: [{ address: target.name ?? redactUrl(target.url), role: null, path }],
      scheduledFor: input.scheduledFor,
      template: template ? { id: template.template.id, version: template.version.version } : null,
    };
  });
}
