import { configuredEmailProviders } from "../../channels/email/registry";
import { configuredSmsProviders } from "../../channels/sms/registry";
import type { Channel } from "../../db/schema";
import { ApiError, fieldError } from "../../lib/errors/api-error";
import { isRegion } from "../tenants/settings";
import type { CountryCode } from "libphonenumber-js/max";
import { loadTemplate, type LoadedTemplate } from "../templates/templates";
import type { SendContext } from "./context";

/** Test keys go through the whole pipeline but are delivered by the simulator, never a provider. */
export const SIMULATOR = "simulator";

/**
 * System → tenant → request for template parameters: each layer overrides the one above key by
 * key, and a channel's own params override the request's top-level ones.
 */
export function cascadeParams(ctx: SendContext, ...layers: (Record<string, unknown> | undefined)[]): Record<string, unknown> {
  return Object.assign({}, ctx.settings.params ?? {}, ...layers.filter(Boolean));
}

/** The region national phone numbers are read in: the tenant's default, else the system's. */
export function defaultRegion(ctx: Pick<SendContext, "settings" | "env">): CountryCode {
  const region = (ctx.settings.defaultRegion ?? ctx.env.DEFAULT_REGION ?? "CA").toUpperCase();
  return (isRegion(region) ? region : "CA") as CountryCode;
}

/**
 * The provider for a channel: the tenant's choice over the system default, which must be
 * configured on this deployment. Test keys always get the simulator.
 */
export function providerFor(ctx: SendContext, channel: "email" | "sms"): string {
  if (ctx.principal.keyType === "test") return SIMULATOR;
  const chosen = channel === "email" ? (ctx.settings.email?.provider ?? ctx.env.EMAIL_PROVIDER) : (ctx.settings.sms?.provider ?? ctx.env.SMS_PROVIDER);
  const configured: string[] = channel === "email" ? configuredEmailProviders(ctx.env) : configuredSmsProviders(ctx.env);
  if (!chosen) {
    throw new ApiError("misconfigured", {
      detail: `No ${channel} provider is configured: set ${channel === "email" ? "EMAIL_PROVIDER" : "SMS_PROVIDER"} (or a tenant default) to one of: ${configured.join(", ") || "none configured"}`,
    });
  }
  if (!configured.includes(chosen)) {
    throw new ApiError("misconfigured", { detail: `The ${channel} provider "${chosen}" is not configured on this deployment` });
  }
  return chosen;
}

/**
 * Loads `content.templateId` (or the seed's `content.template.templateId`) for a channel. An
 * unknown, deleted or other tenant's template, or one for another channel, is a 422.
 */
export async function templateFor(
  ctx: SendContext,
  content: { templateId?: string; template?: { templateId: string } },
  channel: Channel,
  contentPath: string,
): Promise<LoadedTemplate | null> {
  const id = content.templateId ?? content.template?.templateId;
  if (!id) return null;
  const path = content.templateId ? `${contentPath}.templateId` : `${contentPath}.template.templateId`;
  const loaded = await loadTemplate({ db: ctx.db, tenantId: ctx.tenant.id }, id);
  if (!loaded) throw fieldError("unprocessable", path, "No such template");
  if (loaded.template.channel !== channel) {
    throw fieldError("unprocessable", path, `This is a ${loaded.template.channel} template; the ${channel} channel needs a ${channel} template`);
  }
  return loaded;
}

/** Joins a path prefix and a relative path: ("email", "content.body") → "email.content.body". */
export function joinPath(prefix: string, path: string): string {
  return prefix ? `${prefix}.${path}` : path;
}
