import { configuredEmailProviders } from "../../channels/email/registry";
import { configuredSmsProviders } from "../../channels/sms/registry";
import type { Channel } from "../../db/schema";
import { ApiError, fieldError } from "../../lib/errors/api-error";
import type { CountryCode } from "libphonenumber-js/max";
import { resolveRegion, type ResolvedChannel } from "../resolve/cascade";
import { loadTemplate, type LoadedTemplate, loadTemplates } from "../templates/templates";
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

/** Templates a request's channels name, read together once per request (preloadTemplates). */
const preloaded = new WeakMap<SendContext, Map<string, LoadedTemplate>>();

/**
 * Reads every template the resolved channels name in one D1 query, so a send whose email and
 * SMS both use templates costs one round trip, not one per channel. templateFor reads from it.
 *
 * @example
 * ```ts
 * await preloadTemplates(ctx, [resolvedEmail, resolvedSms]);
 * ```
 */
export async function preloadTemplates(ctx: SendContext, channels: ResolvedChannel[]): Promise<void> {
  const ids = channels.map((r) => r.get<string>("content.templateId")).filter((id): id is string => typeof id === "string" && id.length > 0);
  if (ids.length > 1) preloaded.set(ctx, await loadTemplates(ctx, ids));
  else preloaded.delete(ctx);
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
  const batch = preloaded.get(ctx);
  const loaded = batch ? (batch.get(id.toLowerCase()) ?? null) : await loadTemplate(ctx, id);
  if (!loaded) throw fieldError("unprocessable", path, "No such template");
  if (loaded.template.channel !== channel) {
    throw fieldError("unprocessable", path, `This is a ${loaded.template.channel} template; the ${channel} channel needs a ${channel} template`);
  }
  return loaded;
}
