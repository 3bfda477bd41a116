import type { SendOutcome } from "../../channels/types";
import { chunk } from "../../lib/chunk";
import type { PreparedCall } from "./call-provider";

/** What one delivery's provider call came to: the provider's outcome, or what it threw. */
export type CallResult = { ok: true; outcome: SendOutcome } | { ok: false; error: unknown };

/** A call's result with when the call began and ended (ms since the epoch), for its attempt record. */
export type TimedResult = CallResult & { startedAt: number; endedAt: number };

export interface CallItem {
  deliveryId: string;
  /** Calls share a provider batch only within a group (one notification: one tenant, one merge). */
  group: string;
  call: PreparedCall;
}

/**
 * Workers allow six connections open at once per invocation; more calls only wait for one to
 * close, so six calls in flight keep every connection busy without queuing inside the runtime.
 */
export const CALL_CONCURRENCY = 6;

/** Runs `work` over `items` with at most `limit` running at once. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(runners);
}

/**
 * Makes the provider calls of a batch of claimed deliveries: messages a provider can take together
 * (the same group and batch key, services/delivery/call-provider.ts) go in its batch API, up to its
 * batch size, each still answered on its own; every other message is its own call. At most
 * CALL_CONCURRENCY calls are in flight, each with its own timeout. Never throws: a call's failure
 * is the result of each delivery it carried.
 *
 * @example
 * ```ts
 * const results = await runCalls([{ deliveryId, group: notifyId, call }], 15_000);
 * results.get(deliveryId) // { ok: true, outcome: { status: "delivered", providerMessageId: "…" } }
 * ```
 */
export async function runCalls(items: CallItem[], timeoutMs: number, concurrency = CALL_CONCURRENCY): Promise<Map<string, TimedResult>> {
  const results = new Map<string, TimedResult>();
  const units: (() => Promise<void>)[] = [];
  const batches = new Map<string, CallItem[]>();
  for (const item of items) {
    const batch = item.call.batch;
    if (!batch) {
      units.push(() => single(item));
      continue;
    }
    const key = `${item.group}\u0000${batch.provider.name}\u0000${batch.key}`;
    const list = batches.get(key) ?? [];
    list.push(item);
    batches.set(key, list);
  }
  for (const list of batches.values()) {
    const size = Math.max(1, list[0]!.call.batch!.provider.maxBatchSize);
    for (const part of chunk(list, size)) units.push(part.length === 1 ? () => single(part[0]!) : () => together(part));
  }

  async function single(item: CallItem): Promise<void> {
    const startedAt = Date.now();
    try {
      const outcome = await item.call.send(AbortSignal.timeout(timeoutMs));
      results.set(item.deliveryId, { ok: true, outcome, startedAt, endedAt: Date.now() });
    } catch (error) {
      results.set(item.deliveryId, { ok: false, error, startedAt, endedAt: Date.now() });
    }
  }

  async function together(part: CallItem[]): Promise<void> {
    const provider = part[0]!.call.batch!.provider;
    const startedAt = Date.now();
    try {
      const answers = await provider.sendBatch(
        part.map((i) => i.call.batch!.message),
        AbortSignal.timeout(timeoutMs),
      );
      const endedAt = Date.now();
      part.forEach((item, i) => {
        const answer = answers[i];
        const result: CallResult = !answer ? { ok: false, error: new Error(`${provider.name} answered no result for this message of the batch`) } : answer.ok ? { ok: true, outcome: answer.outcome } : { ok: false, error: answer.error };
        results.set(item.deliveryId, { ...result, startedAt, endedAt });
      });
    } catch (error) {
      const endedAt = Date.now();
      for (const item of part) results.set(item.deliveryId, { ok: false, error, startedAt, endedAt });
    }
  }

  await pool(units, concurrency, (unit) => unit());
  return results;
}
