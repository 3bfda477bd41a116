import type { Env } from "../../env";
import { ProviderError, type SmsProvider } from "../types";
import { TwilioSmsProvider } from "./twilio";
import { VonageSmsProvider } from "./vonage";

export const SMS_PROVIDERS = ["twilio", "vonage"] as const;
export type SmsProviderName = (typeof SMS_PROVIDERS)[number];

interface Definition {
  /** The settings the provider cannot work without. */
  required: (keyof Env)[];
  /** Maps Env to the adapter's config; only called once every required setting is present. */
  create(env: Env): SmsProvider;
}

const DEFINITIONS: Record<SmsProviderName, Definition> = {
  twilio: {
    required: ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"],
    create: (env) =>
      new TwilioSmsProvider({
        accountSid: env.TWILIO_ACCOUNT_SID!,
        authToken: env.TWILIO_AUTH_TOKEN!,
        messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID || undefined,
        baseUrl: env.TWILIO_API_URL || undefined,
      }),
  },
  vonage: {
    required: ["VONAGE_API_KEY", "VONAGE_API_SECRET"],
    create: (env) =>
      new VonageSmsProvider({ apiKey: env.VONAGE_API_KEY!, apiSecret: env.VONAGE_API_SECRET!, baseUrl: env.VONAGE_API_URL || undefined }),
  },
};

function isSmsProviderName(name: string): name is SmsProviderName {
  return (SMS_PROVIDERS as readonly string[]).includes(name);
}

function missing(name: SmsProviderName, env: Env): (keyof Env)[] {
  return DEFINITIONS[name].required.filter((key) => !env[key]);
}

/**
 * SMS providers usable on this deployment: those whose required settings are all present.
 *
 * @example
 * ```ts
 * configuredSmsProviders({ ...env, TWILIO_ACCOUNT_SID: "AC…", TWILIO_AUTH_TOKEN: "…" }) // ["twilio"]
 * ```
 */
export function configuredSmsProviders(env: Env): SmsProviderName[] {
  return SMS_PROVIDERS.filter((name) => missing(name, env).length === 0);
}

/**
 * The adapter for `name`, configured from Env. Throws a `configuration` ProviderError naming the
 * missing settings (or the unknown provider), so a delivery fails as misconfigured rather than
 * reaching the provider with half a configuration.
 *
 * @example
 * ```ts
 * createSmsProvider("vonage", env) // ProviderError: SMS provider vonage is not configured: set VONAGE_API_KEY, VONAGE_API_SECRET
 * ```
 */
export function createSmsProvider(name: SmsProviderName, env: Env): SmsProvider {
  // Names come from stored deliveries and tenant settings, so an unknown one is possible at runtime.
  if (!isSmsProviderName(name)) throw new ProviderError(name, "configuration", `Unknown SMS provider ${name} (known: ${SMS_PROVIDERS.join(", ")})`);
  const absent = missing(name, env);
  if (absent.length > 0) throw new ProviderError(name, "configuration", `SMS provider ${name} is not configured: set ${absent.join(", ")}`);
  return DEFINITIONS[name].create(env);
}
