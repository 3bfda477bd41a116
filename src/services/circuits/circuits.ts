import type { CallOutcomes, CircuitView, Permit, PermitRequest } from "../../durable-objects/provider-circuits";
import type { Env } from "../../env";
import { log } from "../../lib/log";
import { placedNamespace } from "../../lib/regions";
import { circuitPolicy } from "./policy";

/** The deployment's one circuit object: every Worker, everywhere, sees the same circuits. */
export const CIRCUITS_OBJECT = "providers";

/**
 * How long the delivery path waits for the circuit object. It answers in milliseconds; past this
 * it is treated as unreachable, so a stuck object delays a batch by this much and never stops it.
 */
const CALL_TIMEOUT_MS = 3_000;

/** In the deployment's Durable Object jurisdiction, as the tenants' objects (lib/regions.ts). */
function circuits(env: Env) {
  const { namespace, options } = placedNamespace(env, env.PROVIDER_CIRCUITS);
  return namespace.get(namespace.idFromName(CIRCUITS_OBJECT), options);
}

async function withTimeout<T>(work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Asks, once for a whole batch, how many calls each provider may take now. Null when the circuit
 * object cannot be reached: the caller then delivers as if every circuit were closed, because a
 * breaker outage must never stop delivery.
 *
 * @example
 * ```ts
 * const permits = await askPermits(env, [{ name: "ses", wanted: 40 }, { name: "postmark", wanted: 40 }]);
 * permits?.get("ses") // { name: "ses", allowed: 0, retryAt: 1767225630000 } while its circuit is open
 * ```
 */
export async function askPermits(env: Env, requests: PermitRequest[], now = Date.now()): Promise<Map<string, Permit> | null> {
  if (requests.length === 0) return new Map();
  try {
    const permits = await withTimeout(() => circuits(env).permit(requests, now, circuitPolicy(env)));
    return new Map(permits.map((p) => [p.name, p]));
  } catch (err) {
    log("error", "provider circuits unreachable: delivering as if every circuit were closed", { error: String(err) });
    return null;
  }
}

/**
 * Tells the circuit object what a batch's calls came to (probes included, used or not). A failure
 * is logged and otherwise ignored: the outcomes are already recorded on the deliveries.
 *
 * @example
 * ```ts
 * await reportOutcomes(env, [{ name: "ses", ok: 38, failed: 2 }]);
 * ```
 */
export async function reportOutcomes(env: Env, outcomes: CallOutcomes[], now = Date.now()): Promise<void> {
  if (outcomes.length === 0) return;
  try {
    await withTimeout(() => circuits(env).report(outcomes, now, circuitPolicy(env)));
  } catch (err) {
    log("error", "provider circuits unreachable: outcomes not counted", { error: String(err), providers: outcomes.map((o) => o.name) });
  }
}

/**
 * The circuits of the named providers, for the operator's health route; throws when the object
 * cannot be reached (the route answers 503).
 *
 * @example
 * ```ts
 * await circuitStates(env, ["ses", "postmark"]) // [{ name: "ses", state: "closed", failures: 0, … }, …]
 * ```
 */
export async function circuitStates(env: Env, names: string[], now = Date.now()): Promise<CircuitView[]> {
  return withTimeout(() => circuits(env).status(names, now, circuitPolicy(env)));
}
