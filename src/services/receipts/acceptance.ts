import type { BatchEmailProvider, BatchItemResult, SendOutcome } from "../../channels/types";

/**
 * An acceptance as it stands while a delivery receipt is still to come: `sending` instead of
 * `delivered`. Only with a provider message id, since a receipt is matched by it: an acceptance
 * without one could never be settled by a receipt and stays `delivered` (accepted), as without
 * receipts. Failures the provider reported at once stay as they are.
 *
 * @example
 * ```ts
 * awaitingReceipt({ status: "delivered", providerMessageId: "SM1" }) // { status: "sending", providerMessageId: "SM1" }
 * awaitingReceipt({ status: "delivered" })                           // { status: "delivered" }
 * ```
 */
export function awaitingReceipt(outcome: SendOutcome): SendOutcome {
  if (!outcome.providerMessageId) return outcome;
  const pending = (status: SendOutcome["status"]) => (status === "delivered" ? "sending" : status);
  return {
    ...outcome,
    status: pending(outcome.status),
    ...(outcome.recipientStatuses
      ? { recipientStatuses: Object.fromEntries(Object.entries(outcome.recipientStatuses).map(([recipient, status]) => [recipient, pending(status)])) }
      : {}),
  };
}

/**
 * A batch adapter whose accepted messages await their receipts (awaitingReceipt on each entry).
 *
 * @example
 * ```ts
 * const ses = batchAwaitingReceipts(new SesEmailProvider(config));
 * await ses.sendBatch(messages) // [{ ok: true, outcome: { status: "sending", providerMessageId: "…" } }, …]
 * ```
 */
export function batchAwaitingReceipts(adapter: BatchEmailProvider): BatchEmailProvider {
  return {
    name: adapter.name,
    maxBatchSize: adapter.maxBatchSize,
    batchKey: (message) => adapter.batchKey(message),
    send: async (message, signal) => awaitingReceipt(await adapter.send(message, signal)),
    sendBatch: async (messages, signal) =>
      (await adapter.sendBatch(messages, signal)).map((result): BatchItemResult => (result.ok ? { ok: true, outcome: awaitingReceipt(result.outcome) } : result)),
  };
}
