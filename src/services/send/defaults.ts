import { configuredEmailProviders } from "../../channels/email/registry";
import { configuredSmsProviders } from "../../channels/sms/registry";
import { providerList } from "../../channels/provider-list";
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
 * The providers of a resolved channel in failover order, the first being the primary: the
 * tenant's list over the system's (`EMAIL_PROVIDER` / `SMS_PROVIDER`, comma-separated), taken
 * whole. Every entry must be configured on this deployment. Test keys always get the simulator
 * alone: they never fail over.
 *
 * @example
 * ```ts
 * providerFor(ctx, "email", resolved) // ["ses", "postmark"] with EMAIL_PROVIDER="ses,postmark"
 * ```
 */
export function providerFor(ctx: SendContext, channel: "email" | "sms", resolved: ResolvedChannel): string[] {
  if (ctx.principal.keyType === "test") return [SIMULATOR];
  const chosen = providerList(resolved.get("provider"));
  const configured: string[] = channel === "email" ? configuredEmailProviders(ctx.env) : configuredSmsProviders(ctx.env);
  if (chosen.length === 0) {
    throw new ApiError("misconfigured", {
      detail: `No ${channel} provider is configured: set ${channel === "email" ? "EMAIL_PROVIDER" : "SMS_PROVIDER"} (or a tenant default) to one of: ${configured.join(", ") || "none configured"}`,
    });
  }
  const missing = chosen.filter((name) => !configured.includes(name));
  if (missing.length > 0) {
    const names = missing.map((name) => `"${name}"`).join(", ");
    throw new ApiError("misconfigured", { detail: `The ${channel} provider${missing.length > 1 ? "s" : ""} ${names} (${resolved.pathOf("provider")}) ${missing.length > 1 ? "are" : "is"} not configured on this deployment` });
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
