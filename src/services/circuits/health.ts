import { configuredEmailProviders } from "../../channels/email/registry";
import { providerList } from "../../channels/provider-list";
import { configuredSmsProviders } from "../../channels/sms/registry";
import type { CircuitState } from "../../durable-objects/provider-circuits";
import type { Env } from "../../env";
import { ApiError } from "../../lib/errors/api-error";
import { log } from "../../lib/log";
import { circuitStates } from "./circuits";
import { circuitPolicy } from "./policy";

/** One configured provider's circuit, as the operator sees it. */
export interface ProviderHealth {
  provider: string;
  /** Its place in the system's failover order (EMAIL_PROVIDER / SMS_PROVIDER, 1 = primary); null when only tenants may choose it. */
  systemOrder: number | null;
  state: CircuitState;
  failures: number;
  successes: number;
  openedAt: string | null;
  halfOpenAt: string | null;
  probeInFlight: boolean;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
}

export interface ProvidersHealth {
  checkedAt: string;
  policy: { failureThreshold: number; windowSeconds: number; cooldownSeconds: number };
  channels: { email: ProviderHealth[]; sms: ProviderHealth[] };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Every provider configured on this deployment, per channel, with its circuit: one call to the
 * circuit object. It being unreachable is a 503 (delivery meanwhile carries on as if every circuit
 * were closed).
 *
 * @example
 * ```ts
 * (await providersHealth(env)).channels.email // [{ provider: "ses", systemOrder: 1, state: "open", failures: 5, … }, …]
 * ```
 */
export async function providersHealth(env: Env, now = Date.now()): Promise<ProvidersHealth> {
  const channels = { email: configuredEmailProviders(env) as string[], sms: configuredSmsProviders(env) as string[] };
  const system = { email: providerList(env.EMAIL_PROVIDER), sms: providerList(env.SMS_PROVIDER) };
  let views;
  try {
    views = await circuitStates(env, [...channels.email, ...channels.sms], now);
  } catch (err) {
    log("error", "provider circuits unreachable for the health route", { error: String(err) });
    throw new ApiError("unavailable", { detail: "The provider circuits cannot be read right now; delivery carries on as if every circuit were closed" });
  }
  const byName = new Map(views.map((v) => [v.name, v]));
  const health = (channel: "email" | "sms") =>
    channels[channel].map((provider): ProviderHealth => {
      const v = byName.get(provider)!;
      const order = system[channel].indexOf(provider);
      return {
        provider,
        systemOrder: order < 0 ? null : order + 1,
        state: v.state,
        failures: v.failures,
        successes: v.successes,
        openedAt: iso(v.openedAt),
        halfOpenAt: iso(v.halfOpenAt),
        probeInFlight: v.probeInFlight,
        lastSuccessAt: iso(v.lastSuccessAt),
        lastFailureAt: iso(v.lastFailureAt),
      };
    });
  const policy = circuitPolicy(env);
  return {
    checkedAt: new Date(now).toISOString(),
    policy: { failureThreshold: policy.failureThreshold, windowSeconds: policy.windowMs / 1000, cooldownSeconds: policy.cooldownMs / 1000 },
    channels: { email: health("email"), sms: health("sms") },
  };
}
