import type { Env } from "../../env";
import { deliveryLeaseMs } from "../delivery/call-provider";

/** The rules every provider's circuit follows (durable-objects/provider-circuits.ts). */
export interface CircuitPolicy {
  /** Failed calls within the window that open a closed circuit (when failures also outnumber answered calls). */
  failureThreshold: number;
  windowMs: number;
  /** How long an open circuit refuses calls before it lets one probe through. */
  cooldownMs: number;
  /** How long a probe may stay out before another batch may probe instead (its batch never reported). */
  probeLeaseMs: number;
}

export const CIRCUIT_DEFAULTS = { failureThreshold: 5, windowSeconds: 60, cooldownSeconds: 30 } as const;

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value.trim() !== "" && Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * The circuit rules of this deployment: CIRCUIT_FAILURE_THRESHOLD failures (default 5) within
 * CIRCUIT_WINDOW_SECONDS (60) open a circuit for CIRCUIT_COOLDOWN_SECONDS (30). A value that is
 * not a positive number is the default. A probe is leased as long as its batch holds its
 * deliveries (two provider timeouts and 30 s).
 *
 * @example
 * ```ts
 * circuitPolicy({ CIRCUIT_FAILURE_THRESHOLD: "3" } as Env) // { failureThreshold: 3, windowMs: 60000, cooldownMs: 30000, probeLeaseMs: 60000 }
 * ```
 */
export function circuitPolicy(env: Pick<Env, "CIRCUIT_FAILURE_THRESHOLD" | "CIRCUIT_WINDOW_SECONDS" | "CIRCUIT_COOLDOWN_SECONDS" | "PROVIDER_TIMEOUT_MS">): CircuitPolicy {
  return {
    failureThreshold: Math.ceil(positive(env.CIRCUIT_FAILURE_THRESHOLD, CIRCUIT_DEFAULTS.failureThreshold)),
    windowMs: Math.round(positive(env.CIRCUIT_WINDOW_SECONDS, CIRCUIT_DEFAULTS.windowSeconds) * 1000),
    cooldownMs: Math.round(positive(env.CIRCUIT_COOLDOWN_SECONDS, CIRCUIT_DEFAULTS.cooldownSeconds) * 1000),
    probeLeaseMs: deliveryLeaseMs(env),
  };
}
