import type { Env } from "../../env";
import { ProviderError, type SmsProvider } from "../types";
import { TwilioSmsProvider } from "./twilio";
import { VonageSmsProvider } from "./vonage";

export const SMS_PROVIDERS = ["twilio", "vonage"] as const;
export type SmsProviderName = (typeof SMS_PROVIDERS)[number];

const REQUIRED: Record<SmsProviderName, (keyof Env)[]> = {
  twilio: ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"],
  vonage: ["VONAGE_API_KEY", "VONAGE_API_SECRET"],
};

function missing(name: SmsProviderName, env: Env): (keyof Env)[] {
  return REQUIRED[name].filter((key) => !env[key]);
}

/**
 * SMS providers usable on this deployment.
 *
 * @example
 * ```ts
 * configuredSmsProviders({ ...env, TWILIO_ACCOUNT_SID: "AC…", TWILIO_AUTH_TOKEN: "…" }) // ["twilio"]
 * ```
 */
export function configuredSmsProviders(env: Env): SmsProviderName[] {
  return SMS_PROVIDERS.filter((name) => missing(name, env).length === 0);
}

export function createSmsProvider(name: SmsProviderName, env: Env): SmsProvider {
  const absent = SMS_PROVIDERS.includes(name) ? missing(name, env) : [];
  if (!SMS_PROVIDERS.includes(name) || absent.length > 0) {
    throw new ProviderError(name, "configuration", `SMS provider ${name} is not configured${absent.length ? `: set ${absent.join(", ")}` : ""}`);
  }
  if (name === "twilio") {
    return new TwilioSmsProvider({
      accountSid: env.TWILIO_ACCOUNT_SID!,
      authToken: env.TWILIO_AUTH_TOKEN!,
      messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID,
      baseUrl: env.TWILIO_API_URL,
    });
  }
  return new VonageSmsProvider({ apiKey: env.VONAGE_API_KEY!, apiSecret: env.VONAGE_API_SECRET!, baseUrl: env.VONAGE_API_URL });
}
