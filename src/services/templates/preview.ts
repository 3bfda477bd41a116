import type { TemplateVersionRow } from "../../db/schema";
import { type Params, renderChat, renderEmail, renderSms } from "../content/render-channel";
import { withRenderErrors } from "../content/render-errors";
import type { Renderer } from "../render/renderer";
import type { ServiceContext } from "../context";
import { getTemplate } from "./templates";

export type TemplatePreview =
  | { channel: "email"; subject: string; body: string; bodyType: string; html?: string; text?: string }
  | { channel: "sms"; body: string; length: number; fragments: number; encoding: string }
  | { channel: "msgApp"; text: string; card?: unknown };

/** Renders one version of a template with `params`, exactly as a send would. */
export function renderTemplateVersion(channel: "email" | "sms" | "msgApp", version: TemplateVersionRow, params: Params, paramsPath = "params"): TemplatePreview {
  const renderer = version.renderer as Renderer;
  const paths = { paramsPath, templatePath: "body", channel };
  if (channel === "email") {
    return {
      channel,
      ...withRenderErrors(
        () => renderEmail({ subject: version.subject ?? "", body: version.body ?? "", bodyType: version.bodyType ?? "text", renderer }, params),
        paths,
      ),
    };
  }
  if (channel === "sms") return { channel, ...withRenderErrors(() => renderSms({ body: version.body ?? "", renderer }, params), paths) };
  return {
    channel,
    ...withRenderErrors(() => renderChat({ body: version.body ?? undefined, card: version.card ?? undefined, renderer }, params), paths),
  };
}

export async function previewTemplate(ctx: ServiceContext, templateId: string, params: Params, version?: number): Promise<TemplatePreview & { templateId: string; version: number }> {
  const loaded = await getTemplate(ctx, templateId, version);
  return {
    templateId: loaded.template.id,
    version: loaded.version.version,
    ...renderTemplateVersion(loaded.template.channel, loaded.version, params),
  };
}
