import { z } from "@hono/zod-openapi";
import { ChatTargetSchema, type TenantSettings, TenantSettingsSchema } from "./settings";

/** A chat target as reads show it: whether a signing secret is stored, never the secret. */
// Built from shapes, not .omit/.extend: zod refuses those on objects that carry refinements.
export const ChatTargetViewSchema = z
  .object({
    type: ChatTargetSchema.shape.type,
    url: z.string(),
    secretSet: z.boolean().openapi({
      description: "Whether a signing secret is stored. Secrets are never answered; send `secret` again whenever you rewrite `msgApp.targets`.",
    }),
  })
  .openapi("ChatTargetView");

/** Tenant defaults as every read answers them (GET and PATCH defaults, the operator's tenant views). */
export const TenantSettingsViewSchema = z
  .object({
    ...TenantSettingsSchema.shape,
    msgApp: z.object({ targets: z.record(z.string(), ChatTargetViewSchema).optional() }).optional(),
  })
  .openapi("TenantSettingsView");

export type TenantSettingsView = z.infer<typeof TenantSettingsViewSchema>;

/**
 * Tenant defaults with every secret replaced by whether it is set, so no read (a test key's or a
 * `read`-only key's included) can learn a webhook signing secret.
 *
 * @example
 * ```ts
 * viewSettings({ msgApp: { targets: { ops: { type: "webhook", url: "https://x.example/h", secret: "whsec_…" } } } })
 * // { msgApp: { targets: { ops: { type: "webhook", url: "https://x.example/h", secretSet: true } } } }
 * ```
 */
export function viewSettings(settings: TenantSettings): TenantSettingsView {
  const targets = settings.msgApp?.targets;
  if (!targets) return settings as TenantSettingsView;
  const redacted = Object.fromEntries(
    Object.entries(targets).map(([name, { secret, ...target }]) => [name, { ...target, secretSet: secret !== undefined }]),
  );
  return { ...settings, msgApp: { ...settings.msgApp, targets: redacted } };
}
