import { configuredEmailProviders } from "../../channels/email/registry";
import { configuredSmsProviders } from "../../channels/sms/registry";
import type { Channel } from "../../db/schema";
import { ApiError, fieldError } from "../../lib/errors/api-error";
import type { CountryCode } from "libphonenumber-js/max";
import { resolveRegion, type ResolvedChannel } from "../resolve/cascade";
import { loadTemplate, type LoadedTemplate } from "../templates/templates";
import type { SendContext } from "./context";

export { joinPath } from "../resolve/layers";

/** Test keys go through the whole pipeline but are delivered by the simulator, never a provider. */
export const SIMULATOR = "simulator";

/**
 * The region national phone numbers are read in (tenant `defaultRegion`, else `DEFAULT_REGION`).
 *
 * @example
 * ```ts
 * normalisePhoneNumber("7787001234", defaultRegion(ctx)) // read as a CA number unless the tenant says otherwise
 * ```
 */
export function defaultRegion(ctx: Pick<SendContext, "settings" | "env">): CountryCode {
  return resolveRegion(ctx).value;
}

/**
 * The provider of a resolved channel (the tenant's choice over the system default), which must
 * be configured on this deployment. Test keys always get the simulator.
 */
export function providerFor(ctx: SendContext, channel: "email" | "sms", resolved: ResolvedChannel): string {
  if (ctx.principal.keyType === "test") return SIMULATOR;
  const chosen = resolved.get<string>("provider");
  const configured: string[] = channel === "email" ? configuredEmailProviders(ctx.env) : configuredSmsProviders(ctx.env);
  if (!chosen) {
    throw new ApiError("misconfigured", {
      detail: `No ${channel} provider is configured: set ${channel === "email" ? "EMAIL_PROVIDER" : "SMS_PROVIDER"} (or a tenant default) to one of: ${configured.join(", ") || "none configured"}`,
    });
  }
  if (!configured.includes(chosen)) {
    throw new ApiError("misconfigured", { detail: `The ${channel} provider "${chosen}" (${resolved.pathOf("provider")}) is not configured on this deployment` });
  }
  return chosen;
}

/**
 * Loads the resolved channel's `content.templateId` (given as `templateId` or the seed's
 * `template.templateId`, in whichever layer). An unknown, deleted or other tenant's template, or
 * one for another channel, is a 422 at the path where the id was written.
 */
export async function templateFor(ctx: SendContext, resolved: ResolvedChannel, channel: Channel): Promise<LoadedTemplate | null> {
  const id = resolved.get<string>("content.templateId");
  if (!id) return null;
  const path = resolved.pathOf("content.templateId");
  const loaded = await loadTemplate(ctx, id);
  if (!loaded) throw fieldError("unprocessable", path, "No such template");
  if (loaded.template.channel !== channel) {
    throw fieldError("unprocessable", path, `This is a ${loaded.template.channel} template; the ${channel} channel needs a ${channel} template`);
  }
  return loaded;
}
