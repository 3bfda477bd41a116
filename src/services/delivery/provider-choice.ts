import { failoverOrder } from "../../channels/provider-list";
import { ProviderError } from "../../channels/types";
import type { DeliveryRow } from "../../db/schema";
import type { CallOutcomes, Permit, PermitRequest } from "../../durable-objects/provider-circuits";
import { SIMULATOR } from "../send/defaults";
import type { CallResult } from "./run-calls";

/** The provider a claimed delivery calls this time, or why it calls none. */
export type Choice = { provider: string; probe?: string } | { skipped: true; provider: string; retryAt: number | null };

/**
 * Whether a delivery's provider has a circuit. Test keys (the simulator) and chat targets (the
 * tenant's own webhooks, not providers) never touch circuits and never fail over.
 */
export function usesCircuits(delivery: Pick<DeliveryRow, "channel" | "provider">): boolean {
  return delivery.channel !== "msgApp" && delivery.provider !== SIMULATOR;
}

/**
 * What to ask the circuit object for: every provider any of the deliveries may fail over to,
 * wanted by as many deliveries as list it. A half-open provider is granted one probe however many
 * want it; one not used in the end is handed back with the batch's report.
 *
 * @example
 * ```ts
 * permitRequests([{ id: "d1", provider: "ses", providers: ["ses", "postmark"] }, { id: "d2", provider: "ses", providers: null }])
 * // [{ name: "ses", wanted: 2 }, { name: "postmark", wanted: 1 }]
 * ```
 */
export function permitRequests(deliveries: Pick<DeliveryRow, "provider" | "providers">[]): PermitRequest[] {
  const wanted = new Map<string, number>();
  for (const d of deliveries) for (const name of failoverOrder(d.providers, d.provider)) wanted.set(name, (wanted.get(name) ?? 0) + 1);
  return [...wanted].map(([name, n]) => ({ name, wanted: n }));
}

/**
 * Each delivery's provider for this attempt: the first of its failover order (from its current
 * provider on) whose circuit still has a call to give. None left: it is skipped until the
 * earliest time one of its circuits may answer otherwise. Without permits (the circuit object
 * unreachable) every delivery keeps its current provider.
 *
 * @example
 * ```ts
 * chooseProviders([delivery], new Map([["ses", { name: "ses", allowed: 0, retryAt }], ["postmark", { name: "postmark", allowed: 1 }]]))
 * // Map { delivery.id => { provider: "postmark" } }
 * ```
 */
export function chooseProviders(deliveries: Pick<DeliveryRow, "id" | "provider" | "providers">[], permits: Map<string, Permit> | null): Map<string, Choice> {
  const choices = new Map<string, Choice>();
  const left = new Map([...(permits ?? new Map<string, Permit>()).values()].map((p) => [p.name, p.allowed]));
  for (const d of deliveries) {
    const order = failoverOrder(d.providers, d.provider);
    if (!permits) {
      choices.set(d.id, { provider: d.provider });
      continue;
    }
    const chosen = order.find((name) => (left.get(name) ?? Number.POSITIVE_INFINITY) > 0);
    if (chosen === undefined) {
      const times = order.map((name) => permits.get(name)?.retryAt).filter((t): t is number => t !== undefined);
      choices.set(d.id, { skipped: true, provider: d.provider, retryAt: times.length > 0 ? Math.min(...times) : null });
      continue;
    }
    left.set(chosen, (left.get(chosen) ?? Number.POSITIVE_INFINITY) - 1);
    const probe = permits.get(chosen)?.probe;
    choices.set(d.id, probe ? { provider: chosen, probe } : { provider: chosen });
  }
  return choices;
}

/**
 * How a call's result counts for its provider's circuit: `ok` when the provider answered (it
 * accepted, or refused this message for the message's sake), `failed` when it is failing
 * (retryable errors, no answer), neither for our own configuration errors.
 */
export function circuitCount(result: CallResult): "ok" | "failed" | null {
  if (result.ok) return "ok";
  if (!(result.error instanceof ProviderError)) return "failed";
  if (result.error.kind === "permanent") return "ok";
  if (result.error.kind === "configuration") return null;
  return "failed";
}

/**
 * The batch's report to the circuit object: per provider, how its calls went, and every probe
 * this batch was given (used or not, so an unused one is freed at once).
 *
 * @example
 * ```ts
 * circuitReport([{ provider: "ses", result: { ok: true, outcome } }], permits) // [{ name: "ses", ok: 1, failed: 0 }]
 * ```
 */
export function circuitReport(calls: { provider: string; result: CallResult }[], permits: Map<string, Permit> | null): CallOutcomes[] {
  const outcomes = new Map<string, CallOutcomes>();
  const of = (name: string) => {
    const found = outcomes.get(name) ?? { name, ok: 0, failed: 0 };
    outcomes.set(name, found);
    return found;
  };
  for (const call of calls) {
    const count = circuitCount(call.result);
    if (count) of(call.provider)[count]++;
  }
  for (const permit of permits?.values() ?? []) if (permit.probe) of(permit.name).probe = permit.probe;
  return [...outcomes.values()];
}
