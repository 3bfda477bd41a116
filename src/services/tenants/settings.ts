import { z } from "@hono/zod-openapi";
import { Webhook } from "standardwebhooks";
import { getCountries, type CountryCode } from "libphonenumber-js/max";
import { SenderIdSchema } from "../send/sender-id";
import { ParamsSchema } from "../content/json-schemas";
import { MAX_PROVIDERS } from "../../channels/provider-list";
import { CallbackIdsSchema } from "../callbacks/setting-schema";

const COUNTRIES = new Set<string>(getCountries());

/**
 * Whether a secret is one the generic webhook adapter can sign with: the same decoding the
 * signer applies, checked when the target is saved, not when the first message fails.
 */
function isWebhookSecret(secret: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match) return false;
  try {
    const bytes = atob(match[1]!).length;
    return bytes >= 24 && bytes <= 64 && new Webhook(secret) !== undefined;
  } catch {
    return false;
  }
}

export const RegionSchema = z
  .string()
  .length(2)
  .refine((v) => COUNTRIES.has(v.toUpperCase()), {
    message: "Not an ISO 3166 alpha-2 region with a telephone numbering plan",
  })
  .openapi({ description: "ISO 3166 alpha-2 region used for phone numbers without a country code", example: "CA" });

export const ChatTargetSchema = z
  .object({
    type: z.enum(["slack", "teams", "rocketchat", "webhook"]).openapi({
      description: "slack: incoming webhook; teams: Workflows webhook; rocketchat: incoming webhook; webhook: generic JSON POST",
    }),
    url: z.url().max(2048).openapi({ example: "https://hooks.slack.com/services/T000/B000/XXXX" }),
    secret: z
      .string()
      .max(256)
      .refine(isWebhookSecret, { message: "Not a Standard Webhooks secret: whsec_ followed by 24 to 64 random bytes in base64" })
      .optional()
      .openapi({ description: "webhook only: Standard Webhooks signing secret (whsec_ + base64 of 24–64 random bytes)" }),
  })
  .strict()
  .openapi("ChatTarget");

/**
 * A channel's provider, or its providers in failover order (the first is the primary). Whether
 * each is configured on this deployment, and that none is listed twice, is checked when saved
 * (check-settings.ts), so the refusal names the entry.
 */
function providerChoice(example: string[]) {
  return z
    .union([z.string().min(1).max(64), z.array(z.string().min(1).max(64)).min(1).max(MAX_PROVIDERS)])
    .optional()
    .openapi({
      description: `One provider configured on this deployment, or up to ${MAX_PROVIDERS} of them in failover order: the first is used unless it fails with a retryable error or its circuit is open (README "Provider failover and delivery guarantees")`,
      example,
    });
}

const TargetNameSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "Lower-case letters, digits, _ and -, up to 64");

/** What every channel's defaults may hold besides its own fields: a default template and params. */
/** Email and SMS defaults may name a subscription service that finds recipients. */
function subscriptionDefault(channel: string) {
  return {
    subscription: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: `A subscription service (/api/v1/service/subscriptions) asked for ${channel} recipients when neither the event type nor the request names one` }),
  };
}

function channelDefaults(channel: string) {
  return {
    templateId: z
      .uuid()
      .optional()
      .openapi({ description: `A ${channel} template used when neither the event type nor the request gives content` }),
    params: ParamsSchema.optional().openapi({ description: `Default params of the ${channel} channel; they override the top-level default params` }),
    callbacks: CallbackIdsSchema.optional().openapi({
      description: `Status callbacks (/api/v1/notify/registerCallback ids, registered for ${channel}) told of this channel's status changes when neither the event type nor the request says; [] for none. Unset: every active registration for ${channel}`,
    }),
  };
}

/**
 * Tenant defaults: the second layer of the System → Tenant → Event → Request cascade. A request
 * value wins over these; these win over the Worker's system defaults.
 */
export const TenantSettingsSchema = z
  .object({
    defaultRegion: RegionSchema.optional(),
    duplicateWindowSeconds: z
      .number()
      .int()
      .min(0)
      .max(86_400)
      .optional()
      .openapi({ description: "How long an accepted notification is remembered so that the same one sent again is answered with the first instead of sent twice (0 turns it off; default 300)", example: 300 }),
    params: ParamsSchema.optional().openapi({ description: "Default template parameters; request params override them key by key" }),
    suppressOn: z
      .object({
        complaint: z.boolean().optional().openapi({ description: "A provider's spam complaint or abuse report adds the recipient to the suppression list (default true)" }),
        bounce: z.boolean().optional().openapi({ description: "A provider's permanent failure (hard bounce, unknown number) adds the recipient to the suppression list (default false)" }),
      })
      .strict()
      .optional()
      .openapi({ description: 'Which delivery receipts add a suppression (source "provider"; README "Delivery receipts")', example: { complaint: true, bounce: false } }),
    email: z
      .object({
        provider: providerChoice(["ses", "postmark"]),
        from: z.string().max(320).optional().openapi({ example: "Funding Programs <funding@example.gov>" }),
        replyTo: z.array(z.string().max(320)).max(10).optional(),
        cc: z.array(z.string().max(320)).max(50).optional(),
        bcc: z.array(z.string().max(320)).max(50).optional(),
        unsubscribe: z
          .object({ enabled: z.boolean() })
          .strict()
          .optional()
          .openapi({ description: "RFC 8058 one-click unsubscribe: every email carries List-Unsubscribe headers (one email per recipient); an event type may decide otherwise" }),
        ...channelDefaults("email"),
        ...subscriptionDefault("email"),
      })
      .strict()
      .optional(),
    sms: z
      .object({
        provider: providerChoice(["twilio", "vonage"]),
        senderId: SenderIdSchema.optional(),
        ...channelDefaults("sms"),
        ...subscriptionDefault("sms"),
      })
      .strict()
      .optional(),
    msgApp: z
      .object({
        targets: z
          .record(TargetNameSchema, ChatTargetSchema)
          .optional()
          .openapi({ description: "Named chat targets a request can address by name" }),
        ...channelDefaults("msgApp"),
      })
      .strict()
      .optional(),
  })
  .strict()
  .openapi("TenantSettings");

export type TenantSettings = z.infer<typeof TenantSettingsSchema>;
export type ChatTargetSetting = z.infer<typeof ChatTargetSchema>;

export function isRegion(value: string): value is CountryCode {
  return COUNTRIES.has(value);
}

export function normaliseSettings(settings: TenantSettings): TenantSettings {
  return settings.defaultRegion ? { ...settings, defaultRegion: settings.defaultRegion.toUpperCase() } : settings;
}
