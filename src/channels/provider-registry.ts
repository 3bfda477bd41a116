import type { Env } from "../env";
import { ProviderError } from "./types";

/** How one provider is built from the deployment's settings. */
export interface ProviderDefinition<P> {
  /** The settings (or bindings) the provider cannot work without. */
  required: (keyof Env)[];
  /**
   * Maps Env to the adapter's config; only called once every required setting is present. An
   * empty optional setting means the adapter's default (its documented public endpoint).
   */
  create(env: Env): P;
}

export interface ProviderRegistry<Name extends string, P> {
  /** The providers usable on this deployment: those whose required settings are all present. */
  configured(env: Env): Name[];
  /**
   * The adapter for `name`. Throws a `configuration` ProviderError naming the missing settings
   * (or the unknown provider), so a delivery fails as misconfigured rather than reaching the
   * provider with half a configuration.
   */
  create(name: Name, env: Env): P;
}

/**
 * The registry of one channel's providers, chosen by name from deployment settings.
 *
 * @example
 * ```ts
 * const sms = providerRegistry("SMS", ["twilio"], { twilio: { required: ["TWILIO_AUTH_TOKEN"], create: (env) => new TwilioSmsProvider(…) } });
 * sms.configured(env)        // ["twilio"] once TWILIO_AUTH_TOKEN is set
 * sms.create("twilio", env)  // ProviderError: SMS provider twilio is not configured: set TWILIO_AUTH_TOKEN
 * ```
 */
export function providerRegistry<const Name extends string, P>(
  label: string,
  names: readonly Name[],
  definitions: Record<Name, ProviderDefinition<P>>,
): ProviderRegistry<Name, P> {
  const Label = label.charAt(0).toUpperCase() + label.slice(1);
  const missing = (name: Name, env: Env) => definitions[name].required.filter((key) => !env[key]);
  return {
    configured: (env) => names.filter((name) => missing(name, env).length === 0),
    create(name, env) {
      // Names come from stored deliveries and tenant settings, so an unknown one is possible at runtime.
      if (!names.includes(name)) throw new ProviderError(name, "configuration", `Unknown ${label} provider ${name} (known: ${names.join(", ")})`);
      const absent = missing(name, env);
      if (absent.length > 0) throw new ProviderError(name, "configuration", `${Label} provider ${name} is not configured: set ${absent.join(", ")}`);
      return definitions[name].create(env);
    },
  };
}
