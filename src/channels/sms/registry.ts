import type { Env } from "../../env";
import { twilioStatusCallbackUrl } from "../../services/receipts/twilio";
import { receiptsWired } from "../../services/receipts/wired";
import { type ProviderDefinition, providerRegistry } from "../provider-registry";
import { ProviderError, type SmsProvider } from "../types";
import { TwilioSmsProvider } from "./twilio";
import { VonageSmsProvider } from "./vonage";

export const SMS_PROVIDERS = ["twilio", "vonage"] as const;
export type SmsProviderName = (typeof SMS_PROVIDERS)[number];

const DEFINITIONS: Record<SmsProviderName, ProviderDefinition<SmsProvider>> = {
  twilio: {
    required: ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"],
    create: (env) =>
      new TwilioSmsProvider({
        accountSid: env.TWILIO_ACCOUNT_SID!,
        authToken: env.TWILIO_AUTH_TOKEN!,
        messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID || undefined,
        baseUrl: env.TWILIO_API_URL || undefined,
        statusCallback: twilioStatusCallback(env),
      }),
  },
  vonage: {
    required: ["VONAGE_API_KEY", "VONAGE_API_SECRET"],
    create: (env) =>
      new VonageSmsProvider({ apiKey: env.VONAGE_API_KEY!, apiSecret: env.VONAGE_API_SECRET!, baseUrl: env.VONAGE_API_URL || undefined }),
  },
};

/**
 * Our status callback URL when Twilio receipts are wired; without PUBLIC_ORIGIN there is no URL
 * Twilio could call, and sending would leave every message `sending` until the 72-hour sweep, so
 * that is a configuration error instead.
 */
function twilioStatusCallback(env: Env): string | undefined {
  if (!receiptsWired(env, "twilio")) return undefined;
  const url = twilioStatusCallbackUrl(env);
  if (!url) throw new ProviderError("twilio", "configuration", "twilio: receipts are wired (RECEIPT_PROVIDERS) but PUBLIC_ORIGIN is not set: Twilio needs an absolute StatusCallback URL");
  return url;
}

const registry = providerRegistry("SMS", SMS_PROVIDERS, DEFINITIONS);

/**
 * SMS providers usable on this deployment: those whose required settings are all present.
 *
 * @example
 * ```ts
 * configuredSmsProviders({ ...env, TWILIO_ACCOUNT_SID: "AC…", TWILIO_AUTH_TOKEN: "…" }) // ["twilio"]
 * ```
 */
export const configuredSmsProviders: (env: Env) => SmsProviderName[] = registry.configured;

/**
 * The adapter for `name`, configured from Env; a `configuration` ProviderError when it cannot be.
 *
 * @example
 * ```ts
 * createSmsProvider("vonage", env) // ProviderError: SMS provider vonage is not configured: set VONAGE_API_KEY, VONAGE_API_SECRET
 * ```
 */
export const createSmsProvider: (name: SmsProviderName, env: Env) => SmsProvider = registry.create;
